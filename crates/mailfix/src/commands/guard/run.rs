//! Runs `mailfix guard`: checks the flags, takes the journal, connects, serves `/healthz` and
//! `/metrics` when asked, and runs the engine's guard until SIGTERM or Ctrl-C (exit 0), or for one
//! cycle with `--once` (exit 3 when findings reach `--fail-on`).

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::time::Duration;

use mailfix_engine::aliases::AliasTemplate;
use mailfix_engine::duration::format_duration;
use mailfix_engine::events::NoopReporter;
use mailfix_engine::fix::{self, FixOptions, OnTimeout, WatchOptions};
use mailfix_engine::guard::notify::{Format, Notifier};
use mailfix_engine::guard::{
    self, DEFAULT_FULL_EVERY, DEFAULT_INTERVAL, GuardContext, GuardObserver, GuardOptions, Mode,
};
use mailfix_engine::scope::Scope;
use mailfix_engine::{Finding, Severity};

use super::args::{GuardArgs, ModeArg, WebhookFormatArg};
use super::listen::{self, Health};
use super::metrics::Metrics;
use super::render::{Fanout, Lines};
use super::shutdown::OnSignal;
use super::webhook::Webhook;
use crate::cli::{FailOn, OutputFormat};
use crate::commands::fix::positive;
use crate::confirm::confirm;
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{GuardReports, ReportFile};

/// How long remediation waits for a write-back by default: Exchange takes one to five minutes,
/// and the next cycle waits while a fix watches.
const DEFAULT_FIX_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Runs `mailfix guard`.
pub async fn run(args: &GuardArgs, ctx: &Context) -> Result<Exit, CliError> {
    let options = options(args, ctx)?;
    let spec = args.scope.to_spec();
    if spec.is_empty() {
        return Err(CliError::usage("guard needs to know whom to watch")
            .hint("choose with --group, --all-users, --user or --users-file"));
    }
    if options.mode == Mode::Remediate {
        allow_remediation(args, ctx)?;
    }
    let listen = args
        .listen
        .as_deref()
        .map(|a| listen::address(a, args.listen_allow_remote))
        .transpose()?;
    let html = ReportFile::from_flag(args.html.as_deref())?;
    let journal = ctx.journal_write("guard")?;
    // Remediation's Exchange lane sends up to --concurrency requests at once.
    let client = ctx.write_client(options.fix.concurrency)?;
    let metrics = Arc::new(Metrics::default());
    let health = Arc::new(Health::new(options.interval));
    let lines: Arc<dyn GuardObserver> = Arc::new(Lines::new(
        ctx.printer.clone(),
        ctx.settings.output == OutputFormat::Ndjson,
    ));
    let mut observers: Vec<Arc<dyn GuardObserver>> =
        vec![lines.clone(), metrics.clone(), health.clone()];
    let webhook = webhook(args, ctx, &options, lines, metrics.clone())?;
    let server = match listen {
        Some(addr) => {
            let (bound, task) = listen::serve(addr, health, metrics).await?;
            ctx.printer
                .status(&format!("serving /healthz and /metrics on http://{bound}"));
            Some(task)
        }
        None => None,
    };
    let scope = Scope::resolve(&client, spec).await?;
    if let Some(file) = html {
        observers.push(Arc::new(GuardReports::new(ctx, file, scope.describe())));
    }
    let observer = Fanout(observers);
    ctx.printer
        .status(&intro(&options, &scope, webhook.as_ref()));
    let signal = OnSignal::listen();
    let guard_ctx = GuardContext {
        client: &client,
        journal: &journal,
        reporter: &NoopReporter,
        observer: &observer,
        notifier: webhook.as_ref().map(|w| w as &dyn Notifier),
        shutdown: signal.token(),
    };
    let outcome = guard::run(guard_ctx, &scope, &options).await;
    if let Some(task) = server {
        task.abort();
    }
    let outcome = outcome?;
    if outcome.stopped {
        ctx.printer
            .status(&format!("guard stopped after {} cycles", outcome.cycles));
        return Ok(Exit::Success);
    }
    let open = outcome.last.map(|l| l.open).unwrap_or_default();
    Ok(exit_for(&open, args.fail_on))
}

fn options(args: &GuardArgs, ctx: &Context) -> Result<GuardOptions, CliError> {
    let template = match &args.alias_template {
        Some(text) => text
            .parse::<AliasTemplate>()
            .map_err(|e| CliError::usage(format!("invalid --alias-template: {e}")))?,
        None => AliasTemplate::default(),
    };
    let concurrency = crate::commands::fix::concurrency(args.concurrency, &ctx.settings)?;
    let interval = match args.once {
        true => None,
        false => Some(positive("--interval", &args.interval)?.unwrap_or(DEFAULT_INTERVAL)),
    };
    let full_every = match args.full_scan_every.as_deref() {
        Some("never") => None,
        _ => Some(
            positive("--full-scan-every", &args.full_scan_every)?.unwrap_or(DEFAULT_FULL_EVERY),
        ),
    };
    if args.max_changes_per_cycle == 0 {
        return Err(
            CliError::usage("--max-changes-per-cycle must be at least 1")
                .hint("use --mode alert to be told about MF001 users without fixing them"),
        );
    }
    Ok(GuardOptions {
        mode: match args.mode {
            ModeArg::Report => Mode::Report,
            ModeArg::Alert => Mode::Alert,
            ModeArg::Remediate => Mode::Remediate,
        },
        interval,
        max_changes_per_cycle: args.max_changes_per_cycle,
        full_every,
        fix: FixOptions {
            template,
            alias_domain: args.alias_domain.clone(),
            concurrency,
            max_changes: None,
            watch: WatchOptions {
                poll_interval: positive("--poll-interval", &args.poll_interval)?
                    .unwrap_or(fix::DEFAULT_POLL_INTERVAL),
                timeout: positive("--fix-timeout", &args.fix_timeout)?
                    .unwrap_or(DEFAULT_FIX_TIMEOUT),
                on_timeout: OnTimeout::Remove,
                keep_aliases: false,
            },
            plans: ctx.settings.mailbox_plans(),
            dual_write_retry: ctx.settings.dual_write_retry(),
        },
        tenant: ctx
            .settings
            .tenant
            .as_ref()
            .map(|t| t.value.clone())
            .unwrap_or_default(),
    })
}

/// `--mode remediate` writes to the tenant unattended: only with `--yes` (or `unattended = true`
/// in the config), or after a yes at a terminal.
fn allow_remediation(args: &GuardArgs, ctx: &Context) -> Result<(), CliError> {
    if args.yes
        || ctx
            .settings
            .guard
            .unattended
            .as_ref()
            .is_some_and(|u| u.value)
    {
        return Ok(());
    }
    let question = "guard --mode remediate adds and removes temporary aliases on the mailboxes of MF001 users as they appear, without asking again. Go ahead?";
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "guard --mode remediate changes the tenant unattended; refusing to start without confirmation: stdin is not a terminal",
        )
        .hint("pass --yes (or set unattended = true in the config profile) to let it fix, or use --mode alert"));
    }
    let write = crate::cli::WriteArgs::default();
    // A "no" is the usage error "declined: nothing was changed" (exit 2): guard did not start.
    confirm(&ctx.printer, &write, question)
}

fn webhook(
    args: &GuardArgs,
    ctx: &Context,
    options: &GuardOptions,
    lines: Arc<dyn GuardObserver>,
    metrics: Arc<Metrics>,
) -> Result<Option<Webhook>, CliError> {
    let Some(url) = &ctx.settings.guard.webhook_url else {
        if options.mode != Mode::Report {
            ctx.printer.notice("warning: no webhook configured (MAILFIX_WEBHOOK_URL or webhook_url_file in the config): notices are only logged");
        }
        return Ok(None);
    };
    if options.mode == Mode::Report {
        return Ok(None);
    }
    let format = match args.webhook_format {
        Some(WebhookFormatArg::Teams) => Some(Format::Teams),
        Some(WebhookFormatArg::Slack) => Some(Format::Slack),
        Some(WebhookFormatArg::Json) => Some(Format::Json),
        None => ctx.settings.guard.webhook_format.as_ref().map(|f| f.value),
    };
    let ca = ctx.settings.ca_file.as_ref().map(|c| c.value.as_path());
    Webhook::new(
        url.value.expose(),
        &url.source.to_string(),
        format,
        ca,
        lines,
        metrics,
    )
    .map(Some)
}

fn intro(options: &GuardOptions, scope: &Scope, webhook: Option<&Webhook>) -> String {
    let when = match options.interval {
        Some(every) => format!("every {}", format_duration(every)),
        None => "once".to_owned(),
    };
    let notices = match webhook {
        Some(w) => format!("notices to the {:?} webhook at {}", w.format(), w.host()),
        None => "no webhook".to_owned(),
    };
    format!(
        "guard: {} {} {when}; {notices}",
        options.mode.as_str(),
        scope.describe()
    )
}

fn exit_for(open: &[Finding], fail_on: FailOn) -> Exit {
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Never => return Exit::Success,
    };
    match open.iter().any(|f| f.severity >= threshold) {
        true => Exit::Findings,
        false => Exit::Success,
    }
}
