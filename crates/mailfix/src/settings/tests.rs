//! Settings resolution: precedence, profiles, and the errors a user meets.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use super::resolution::*;
use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::CliError;

fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn resolve(args: &GlobalArgs, env: &HashMap<String, String>) -> Result<Settings, CliError> {
    Settings::resolve(args, &|k: &str| env.get(k).cloned(), false)
}

fn config_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn flags_beat_env_beat_config_beat_defaults() {
    let file = config_file(
        "[defaults]\ntenant = \"from-config\"\nclient_id = \"cfg-app\"\ngraph_url = \"https://cfg\"\n",
    );
    let env = env_of(&[
        ("MAILFIX_TENANT", "from-env"),
        ("MAILFIX_CLIENT_ID", "env-app"),
    ]);
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        tenant: Some("from-flag".into()),
        ..GlobalArgs::default()
    };
    let s = resolve(&args, &env).unwrap();
    assert_eq!(
        s.tenant,
        Some(Sourced {
            value: "from-flag".into(),
            source: Source::Flag
        })
    );
    assert_eq!(
        s.client_id,
        Some(Sourced {
            value: "env-app".into(),
            source: Source::Env
        })
    );
    assert_eq!(
        s.graph_url,
        Some(Sourced {
            value: "https://cfg".into(),
            source: Source::Config
        })
    );
    assert_eq!(
        s.cloud,
        Sourced {
            value: CloudName::Global,
            source: Source::Default
        }
    );
    assert_eq!(
        s.output,
        OutputFormat::Json,
        "not a terminal: json by default"
    );
}

#[test]
fn profile_overrides_defaults_and_unknown_profile_lists_known_ones() {
    let file = config_file(
        "default_profile = \"prod\"\n[defaults]\ncloud = \"china\"\ntenant = \"base\"\n[profiles.prod]\ntenant = \"prod-tenant\"\n[profiles.test]\n",
    );
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let s = resolve(&args, &HashMap::new()).unwrap();
    assert_eq!(s.profile.as_deref(), Some("prod"));
    assert_eq!(s.tenant.unwrap().value, "prod-tenant");
    assert_eq!(s.cloud.value, CloudName::China);
    let err = resolve(
        &GlobalArgs {
            profile: Some("nope".into()),
            ..args
        },
        &HashMap::new(),
    )
    .unwrap_err();
    assert!(
        err.headline.contains("profile 'nope' is not defined"),
        "{}",
        err.render()
    );
    assert_eq!(err.hint.as_deref(), Some("defined profiles: prod, test"));
}

#[test]
fn config_with_unknown_key_names_the_key_and_line() {
    let file = config_file("[defaults]\ntenant = \"t\"\ntennant = \"typo\"\n");
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let err = resolve(&args, &HashMap::new()).unwrap_err();
    assert_eq!(err.exit, crate::exit::Exit::Usage);
    let text = err.render();
    assert!(text.contains("is invalid"), "{text}");
    assert!(text.contains("unknown field `tennant`"), "{text}");
    assert!(text.contains("at line 3"), "{text}");
}

#[test]
fn secret_in_config_file_is_refused() {
    let file = config_file("[defaults]\nclient_secret = \"s3cr3t\"\n");
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let err = resolve(&args, &HashMap::new()).unwrap_err();
    assert!(
        !err.render().contains("s3cr3t"),
        "the secret must not be echoed"
    );
    assert!(err.hint.unwrap().contains("client_secret_file"));
}

#[test]
fn missing_explicit_config_is_an_error_but_missing_default_is_not() {
    let args = GlobalArgs {
        config: Some("/nonexistent/mailfix.toml".into()),
        ..GlobalArgs::default()
    };
    let err = resolve(&args, &HashMap::new()).unwrap_err();
    assert!(
        err.headline
            .contains("cannot read config file /nonexistent/mailfix.toml")
    );
    let env = env_of(&[("MAILFIX_CONFIG", "")]);
    assert!(resolve(&GlobalArgs::default(), &env).is_ok());
}

#[test]
fn unknown_cloud_is_a_usage_error_with_the_choices() {
    let env = env_of(&[("MAILFIX_CLOUD", "mars")]);
    let err = resolve(&GlobalArgs::default(), &env).unwrap_err();
    assert_eq!(err.headline, "unknown cloud 'mars' (from env)");
    assert!(err.hint.unwrap().contains("usgov-high"));
}

#[test]
fn credential_choice_and_redaction() {
    let env = env_of(&[("MAILFIX_CLIENT_SECRET", "very-secret")]);
    let s = resolve(&GlobalArgs::default(), &env).unwrap();
    assert_eq!(s.credential, CredentialSetting::SecretFromEnv);
    let described = format!("{:?}", s.describe());
    assert!(!described.contains("very-secret"));
    assert!(!format!("{s:?}").contains("very-secret"));
    let args = GlobalArgs {
        certificate: Some("/c.pem".into()),
        ..GlobalArgs::default()
    };
    let s = resolve(&args, &env).unwrap();
    assert!(
        matches!(s.credential, CredentialSetting::Certificate { .. }),
        "a flag beats the env secret"
    );
}

#[test]
fn reports_window_comes_from_env_or_config_and_must_be_a_positive_duration() {
    let file = config_file("[defaults]\nreports_window = \"2s\"\n");
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let s = resolve(&args, &env_of(&[])).unwrap();
    assert_eq!(
        s.reports_window,
        Some(Sourced {
            value: Duration::from_secs(2),
            source: Source::Config
        })
    );
    let s = resolve(&args, &env_of(&[("MAILFIX_REPORTS_WINDOW", "100ms")])).unwrap();
    assert_eq!(
        s.reports_window.as_ref().map(|w| (w.value, w.source)),
        Some((Duration::from_millis(100), Source::Env))
    );
    assert!(
        s.describe()
            .iter()
            .any(|(k, v, src)| k == "reports_window" && v == "100ms" && src == "env")
    );
    assert_eq!(
        resolve(&GlobalArgs::default(), &env_of(&[]))
            .unwrap()
            .reports_window,
        None
    );
    for bad in ["0s", "fast"] {
        let err = resolve(
            &GlobalArgs::default(),
            &env_of(&[("MAILFIX_REPORTS_WINDOW", bad)]),
        )
        .unwrap_err();
        assert_eq!(err.exit.code(), 2, "{bad}: {}", err.render());
        assert!(err.render().contains("reports window"), "{}", err.render());
    }
}

#[test]
fn retry_budget_comes_from_env_or_config_as_a_duration() {
    let file = config_file("[defaults]\nretry_max_elapsed = \"5m\"\n");
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let from_config = resolve(&args, &env_of(&[])).unwrap().retry_max_elapsed;
    assert_eq!(
        from_config,
        Some(Sourced {
            value: std::time::Duration::from_secs(300),
            source: Source::Config
        })
    );
    let env = env_of(&[("MAILFIX_RETRY_MAX_ELAPSED", "2s")]);
    let from_env = resolve(&args, &env).unwrap().retry_max_elapsed.unwrap();
    assert_eq!(from_env.value, std::time::Duration::from_secs(2));
    let bad = env_of(&[("MAILFIX_RETRY_MAX_ELAPSED", "soon")]);
    let err = resolve(&GlobalArgs::default(), &bad).unwrap_err();
    assert_eq!(
        err.headline,
        "retry_max_elapsed 'soon' (from env) is not a duration"
    );
    assert_eq!(err.exit.code(), 2);
}

#[test]
fn concurrency_comes_from_env_or_config_and_must_be_1_to_50() {
    let file = config_file("[defaults]\nconcurrency = 10\n");
    let args = GlobalArgs {
        config: Some(file.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let from_config = resolve(&args, &env_of(&[])).unwrap().concurrency;
    assert_eq!(
        from_config,
        Some(Sourced {
            value: 10,
            source: Source::Config
        })
    );
    let env = env_of(&[("MAILFIX_CONCURRENCY", "4")]);
    let from_env = resolve(&args, &env).unwrap().concurrency.unwrap();
    assert_eq!((from_env.value, from_env.source), (4, Source::Env));
    for (bad, says) in [
        ("0", "concurrency 0 (from env) must be between 1 and 50"),
        ("51", "concurrency 51 (from env) must be between 1 and 50"),
        (
            "many",
            "concurrency 'many' (from env) is not a whole number",
        ),
    ] {
        let env = env_of(&[("MAILFIX_CONCURRENCY", bad)]);
        let err = resolve(&GlobalArgs::default(), &env).unwrap_err();
        assert_eq!(err.headline, says);
        assert_eq!(err.exit.code(), 2);
    }
    let zero = config_file("[defaults]\nconcurrency = 0\n");
    let args = GlobalArgs {
        config: Some(zero.path().to_path_buf()),
        ..GlobalArgs::default()
    };
    let err = resolve(&args, &env_of(&[])).unwrap_err();
    assert_eq!(
        err.headline,
        "concurrency 0 (from config) must be between 1 and 50"
    );
}
