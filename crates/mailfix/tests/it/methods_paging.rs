//! Authentication methods beyond the first page are read: with the simulator answering one method
//! per page (`graph.methods_page_size`), `scan --methods` finds what the scenario implies and
//! `seed` sees the values already registered on later pages.

use mailfix_sim::scenario::{self, Scenario};
use serde_json::Value;

use crate::expected;
use crate::seed::{hr_tenant, seed_au};
use crate::support::{TestSim, run, stderr, stdout, write};

/// One method per page: the password first, phones and email only behind next links.
fn one_method_per_page(mut scenario: Scenario) -> Scenario {
    scenario
        .behaviour
        .limits
        .insert("graph.methods_page_size".to_owned(), 1.0);
    scenario
}

/// Direct reads of a next page of methods (outside `$batch`) in the simulator's log.
async fn next_page_reads(sim: &TestSim) -> usize {
    let log = sim.control_get("/_sim/requests").await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/authentication/methods"))
                && e["query"].as_str().is_some_and(|q| q.contains("skiptoken"))
        })
        .count()
}

#[tokio::test]
async fn scan_methods_reads_every_page_of_methods() {
    let seed = 5;
    let scenario = scenario::small(seed);
    let in_group = expected::group_members(&scenario, "Engineering");
    let want = expected::findings(
        &scenario,
        |u| in_group.contains(&u.upn.to_ascii_lowercase()) && expected::kept(u, false, false),
        true,
        false,
    );
    let sim = TestSim::start(one_method_per_page(scenario)).await;
    let out =
        run(sim
            .mailfix()
            .args(["scan", "--group", "Engineering", "--methods", "-o", "json"]))
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(expected::from_json(&doc), want);
    assert!(next_page_reads(&sim).await > 0, "later pages were read");
}

#[tokio::test]
async fn seed_sees_a_mobile_registered_on_a_later_page() {
    let sim = TestSim::start(one_method_per_page(hr_tenant())).await;
    let hr = sim.path("hr.csv");
    // bo already has +61 413222333 (on the second page); cara has none of these.
    write(
        &hr,
        "upn,mobile\nbo@contoso.com,0413 222 333\ndana@contoso.com,0412 555 666\n",
    );
    let out = seed_au(&sim, &hr, &["-o", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let bo = &doc["rows"][0];
    assert_eq!(bo["methods"][0]["outcome"], "unchanged", "{bo}");
    assert_eq!(doc["rows"][1]["methods"][0]["outcome"], "created");
    assert!(next_page_reads(&sim).await > 0, "later pages were read");
}
