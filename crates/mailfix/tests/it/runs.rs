//! `mailfix runs` and `runs show`: the journal rendered as a table and as JSON after a real run.

use mailfix_sim::scenario::small;
use serde_json::Value;

use crate::support::{run, stderr, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn runs_lists_the_runs_and_shows_items_with_states_timings_and_latency() {
    let scenario = small(51);
    let sim = crate::tenant::compressed(&scenario, 120.0, (60.0, 120.0)).await;
    let empty: Vec<&str> = scenario
        .users
        .iter()
        .filter(|u| u.label == "empty-mail")
        .take(3)
        .map(|u| u.upn.as_str())
        .collect();
    let mut fix = sim.mailfix();
    fix.args(["fix", "--yes", "--poll-interval", "300ms"]);
    for upn in &empty {
        fix.args(["--user", upn]);
    }
    let out = run(&mut fix).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let list: Value =
        serde_json::from_str(&stdout(&run(sim.mailfix().args(["runs"])).await)).unwrap();
    let runs = list["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let id = runs[0]["id"].as_str().unwrap();
    assert_eq!(
        (runs[0]["command"].as_str(), runs[0]["status"].as_str()),
        (Some("fix"), Some("finished"))
    );
    assert_eq!(runs[0]["states"]["verified"], 3);
    assert!(
        runs[0]["summary"].is_null(),
        "the list leaves summaries to runs show"
    );

    let show: Value = serde_json::from_str(&stdout(
        &run(sim.mailfix().args(["runs", "show", id])).await,
    ))
    .unwrap();
    let items = show["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert_eq!(item["state"], "verified");
        for stamp in ["added_at", "written_back_at", "removed_at"] {
            assert!(item[stamp].is_string(), "{stamp}: {item}");
        }
        assert!(item["latency_s"].as_f64().unwrap() > 0.0);
        assert!(empty.contains(&item["user"]["upn"].as_str().unwrap()));
    }
    assert!(show["latency"]["p90_s"].as_f64().is_some());
    assert_eq!(show["run"]["summary"]["fixed"].as_array().unwrap().len(), 3);

    let table = run(sim.mailfix().args(["runs", "show", id, "-o", "table"])).await;
    let text = stdout(&table);
    assert!(
        text.contains(&format!("Run {id} · fix · finished")),
        "{text}"
    );
    assert!(text.contains("3 items: 3 verified"), "{text}");
    assert!(text.contains("write-back latency: p50"), "{text}");
    let csv = stdout(&run(sim.mailfix().args(["runs", "-o", "csv"])).await);
    assert!(
        csv.starts_with("run,command,status,started,finished,items,states\n"),
        "{csv}"
    );
    assert!(csv.contains(&format!("{id},fix,finished,")), "{csv}");
}
