//! The binary against the simulator's real-tenant Graph switches and scenarios: each cloud preset
//! signs in with that cloud's resources; a government tenant's mailbox plans (and plans added with
//! `mailbox_plans`); `directoryAudits` needing `Directory.Read.All` too; the registration report of
//! a tenant without Entra ID P1/P2; answers with `null` lists, later enum values and a `$top` cap.

use mailfix_sim::identity::{Audience, SimCloud};
use mailfix_sim::scenario::{self, Scenario, small};
use serde_json::Value;

use crate::expected;
use crate::realtenant_exchange::switch;
use crate::support::{TestSim, run, stderr, stdout};

async fn json_of(sim: &TestSim, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut cmd = sim.mailfix();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(cmd.args(args).args(["-o", "json"])).await;
    let doc = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), doc, stderr(&out))
}

fn kept(u: &scenario::UserSpec) -> bool {
    expected::kept(u, false, false)
}

#[tokio::test]
async fn each_cloud_preset_signs_in_with_that_clouds_resources() {
    for cloud in SimCloud::ALL {
        let sim = TestSim::start_with(small(1), |o| o.cloud = cloud).await;
        let (code, doc, err) =
            json_of(&sim, &["--cloud", cloud.name(), "auth", "check"], &[]).await;
        assert_eq!(code, 0, "{cloud}: {err}");
        for (i, audience) in [Audience::Graph, Audience::Exchange]
            .into_iter()
            .enumerate()
        {
            let token = &doc["tokens"][i];
            assert_eq!(token["ok"], true, "{cloud}: {token}");
            assert_eq!(token["audience"], cloud.resource(audience), "{cloud}");
        }
        // Another cloud's preset asks for resources this one does not know.
        let other = if cloud == SimCloud::Global {
            "usgov-dod"
        } else {
            "global"
        };
        let (code, _, err) = json_of(&sim, &["--cloud", other, "auth", "check"], &[]).await;
        assert_eq!(code, 1, "{cloud} with --cloud {other}");
        assert!(err.contains("AADSTS70011"), "{err}");
    }
}

#[tokio::test]
async fn a_government_tenant_has_mf001_users() {
    let scenario = scenario::small_gov(3);
    let want = expected::findings(&scenario, kept, false, false);
    let mf001 = want.iter().filter(|(_, r)| r == "MF001").count();
    assert!(mf001 > 20, "{mf001}");
    let sim = TestSim::start(scenario).await;
    let (code, doc, err) = json_of(&sim, &["scan", "--all-users"], &[]).await;
    assert_eq!(code, 3, "{err}");
    assert_eq!(expected::from_json(&doc), want);
}

/// A plan id no table lists, in place of Exchange Online (Plan 2) in every licence.
const UNLISTED_PLAN: &str = "0f0e0d0c-0b0a-4090-8070-605040302010";

fn with_unlisted_plan() -> Scenario {
    let mut scenario = small(3);
    let plan2 = scenario::generate::EXCHANGE_S_ENTERPRISE;
    for plans in scenario.licences.values_mut() {
        for p in plans.iter_mut().filter(|p| p.service_plan_id == plan2) {
            p.service_plan_id = UNLISTED_PLAN.parse().unwrap();
        }
    }
    scenario
}

#[tokio::test]
async fn mailbox_plans_adds_plan_ids_the_table_does_not_know() {
    let scenario = with_unlisted_plan();
    let want = expected::findings(&scenario, kept, false, false);
    let sim = TestSim::start(scenario).await;
    let (_, without, _) = json_of(&sim, &["scan", "--all-users"], &[]).await;
    let mf001 = |doc: &Value| {
        expected::from_json(doc)
            .iter()
            .filter(|(_, r)| r == "MF001")
            .count()
    };
    let all = want.iter().filter(|(_, r)| r == "MF001").count();
    assert!(mf001(&without) < all, "plan 2 users are not recognised");
    let env = [("MAILFIX_MAILBOX_PLANS", UNLISTED_PLAN)];
    let (code, with, err) = json_of(&sim, &["scan", "--all-users"], &env).await;
    assert_eq!(code, 3, "{err}");
    assert_eq!(expected::from_json(&with), want);
    // The same from the config file.
    let config = sim.path("config.toml");
    crate::support::write(
        &config,
        &format!("[defaults]\nmailbox_plans = [\"{UNLISTED_PLAN}\"]\n"),
    );
    let path = config.to_str().unwrap();
    let (_, from_file, _) = json_of(&sim, &["--config", path, "scan", "--all-users"], &[]).await;
    assert_eq!(expected::from_json(&from_file), want);
}

#[tokio::test]
async fn a_mailbox_plan_that_is_no_guid_is_refused_before_any_request() {
    let sim = TestSim::start(small(3)).await;
    let env = [(
        "MAILFIX_MAILBOX_PLANS",
        "9aaf7827-d63c-4b61-89c3-182f06f82e5c, EXCHANGE_LITE",
    )];
    let (code, _, err) = json_of(&sim, &["scan", "--all-users"], &env).await;
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mailbox_plans (from env): 'EXCHANGE_LITE' is not a service plan id"),
        "{err}"
    );
    assert!(err.contains("servicePlanId"), "{err}");
    assert!(sim.sim.state.log.since(0).is_empty(), "no request");
}

fn without_directory_read(mut scenario: Scenario) -> Scenario {
    for app in &mut scenario.apps {
        app.graph_roles.retain(|r| r != "Directory.Read.All");
    }
    scenario
}

#[tokio::test]
async fn audit_needs_directory_read_and_auth_check_says_so() {
    let sim = TestSim::start(without_directory_read(small(2))).await;
    let window = [("MAILFIX_REPORTS_WINDOW", "100ms")];
    let (code, _, err) = json_of(&sim, &["audit", "--since", "14d"], &window).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("AuditLog.Read.All and Directory.Read.All"),
        "{err}"
    );
    let (code, check, err) = json_of(&sim, &["auth", "check"], &[]).await;
    assert_eq!(code, 0, "{err}");
    let directory = check["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["permission"] == "Directory.Read.All")
        .unwrap();
    assert_eq!(directory["granted"], false);
    let audit = check["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "audit")
        .unwrap();
    assert_eq!(audit["can_run"], "no", "{audit}");
    // A service that asks for AuditLog.Read.All alone (the switch off) answers.
    let mut scenario = without_directory_read(small(2));
    switch(&mut scenario, &[("graph.audit_needs_directory_read", 0.0)]);
    let sim = TestSim::start(scenario).await;
    let (code, _, err) = json_of(&sim, &["audit", "--since", "14d"], &window).await;
    assert_eq!(code, 0, "{err}");
}

#[tokio::test]
async fn without_entra_premium_scan_skips_mf007_with_one_warning() {
    let mut scenario = small(8);
    switch(&mut scenario, &[("graph.entra_premium", 0.0)]);
    let want = expected::findings(&scenario, kept, false, false);
    let sim = TestSim::start(scenario).await;
    let window = [("MAILFIX_REPORTS_WINDOW", "100ms")];
    let args = ["scan", "--all-users", "--registration"];
    let (code, doc, err) = json_of(&sim, &args, &window).await;
    assert_eq!(code, 3, "{err}");
    assert_eq!(expected::from_json(&doc), want, "every other rule");
    assert_eq!(doc["rules_skipped"][0]["rule"], "MF007", "{doc}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("MF007") && warnings[0].contains("Entra ID P1 or P2"));
    assert!(!err.contains("AuditLog.Read.All"), "{err}");
    let (_, check, _) = json_of(&sim, &["auth", "check"], &window).await;
    let licence = check["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "registration report")
        .unwrap();
    assert_eq!(licence["ok"], false, "{licence}");
    assert!(licence["result"].as_str().unwrap().contains("P1 or P2"));
    let registration = check["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "scan --registration")
        .unwrap();
    assert_eq!(registration["can_run"], "partly", "{registration}");
}

#[tokio::test]
async fn null_lists_later_enum_values_and_a_999_page_cap_do_not_fail_a_command() {
    let mut scenario = small(9);
    switch(
        &mut scenario,
        &[
            ("exo.warnings_null", 1.0),
            ("graph.unknown_enum_values", 1.0),
            ("graph.audit_max_top", 999.0),
        ],
    );
    let want = expected::findings(&scenario, kept, true, true);
    let sim = TestSim::start(scenario).await;
    let window = [("MAILFIX_REPORTS_WINDOW", "100ms")];
    let args = ["scan", "--all-users", "--methods", "--registration"];
    let (code, doc, err) = json_of(&sim, &args, &window).await;
    assert_eq!(code, 3, "{err}");
    assert_eq!(expected::from_json(&doc), want);
    let (code, _, err) = json_of(&sim, &["audit", "--since", "30d"], &window).await;
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = json_of(&sim, &["fix", "--all-users", "--dry-run"], &[]).await;
    assert_eq!(code, 0, "{err}");
}
