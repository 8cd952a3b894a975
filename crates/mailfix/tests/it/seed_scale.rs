//! 5,000 HR rows in close to the fewest requests batching allows: users resolved 20 per `$batch`,
//! methods read 20 per `$batch` (phones and email in one `/methods` read), one request per method
//! written, and one Exchange read of the accepted domains.
//!
//! Also the measurement for BENCHMARKS.md: run with `--nocapture` (and `--release`) to print the
//! request counts and the elapsed time.

use std::time::Instant;

use mailfix_sim::scenario::all_users;
use serde_json::Value;

use crate::seed::{log_mark, seed_au, service_requests};
use crate::support::{TestSim, stderr, stdout, write};

const ROWS: usize = 5_000;

#[tokio::test]
async fn five_thousand_rows_take_close_to_the_minimum_number_of_requests() {
    let scenario = mailfix_sim::scenario::scale(ROWS, 11);
    let users: Vec<_> = all_users(&scenario).map(|u| u.into_owned()).collect();
    assert_eq!(users.len(), ROWS);
    // Missing methods get a new value (to be created); a registered email is given again (to be
    // skipped). A registered mobile is left out: the generator draws any 8 digits after +61 4,
    // and not all of those are valid Australian numbers.
    let mut text = String::from("UPN,Mobile,Personal Email\n");
    let mut creates = 0;
    for (i, user) in users.iter().enumerate() {
        let mobile = match &user.methods.mobile {
            Some(_) => String::new(),
            None => {
                creates += 1;
                format!("0412 {i:06}")
            }
        };
        let email = match &user.methods.email {
            Some(e) => e.clone(),
            None => {
                creates += 1;
                format!("new{i}@example.org")
            }
        };
        text.push_str(&format!("\"{}\",{mobile},{email}\n", user.upn));
    }
    // Time runs 100x faster in the simulator, so Graph's write limit (3,000 per 150 s) costs
    // seconds, not minutes; the throttled answers it causes are counted below.
    let sim = TestSim::start_with(scenario, |o| o.time_scale = 100.0).await;
    let file = sim.path("hr.csv");
    write(&file, &text);

    let mark = log_mark(&sim).await;
    let started = Instant::now();
    let out = seed_au(&sim, &file, &["-o", "json"]).await;
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["summary"]["created"], creates);
    assert_eq!(doc["summary"]["not_done"], 0);

    let requests = service_requests(&sim, mark).await;
    let batches = ROWS.div_ceil(20);
    let minimum = batches + batches + creates + 1;
    let throttled = requests.iter().filter(|r| r["throttled"] == true).count();
    let writes = requests
        .iter()
        .filter(|r| r["write"] == true && r["status"].as_u64() < Some(300))
        .count();
    assert_eq!(writes, creates, "one write per created method");
    let total = requests.len();
    println!(
        "seed {ROWS} rows: {total} requests (minimum {minimum}: {batches} lookup batches, {batches} \
         methods batches, {creates} writes, 1 Exchange read), {throttled} throttled, {elapsed:.1?}"
    );
    assert!(
        total >= minimum,
        "fewer requests than the minimum: {total} < {minimum}"
    );
    let counted =
        doc["requests"]["graph"].as_u64().unwrap() + doc["requests"]["exchange"].as_u64().unwrap();
    assert_eq!(
        counted, total as u64,
        "the summary counts what the service saw"
    );
    assert!(
        total <= minimum + minimum / 50,
        "{total} requests, more than 2% above the minimum {minimum} ({throttled} throttled)"
    );
}

#[tokio::test]
async fn throttled_writes_are_sent_again_until_they_land_and_never_doubled() {
    let mut scenario = mailfix_sim::scenario::small(5);
    // 100 writes per 150 simulated seconds, 1.5 s of real time at 100x.
    scenario
        .behaviour
        .limits
        .insert("graph.write_quota".to_owned(), 100.0);
    let missing = scenario
        .users
        .iter()
        .map(|u| usize::from(u.methods.mobile.is_none()) + usize::from(u.methods.email.is_none()))
        .sum::<usize>();
    assert!(missing > 200, "enough writes to be throttled: {missing}");
    let sim = TestSim::start_with(scenario.clone(), |o| o.time_scale = 100.0).await;
    let file = sim.path("hr.csv");
    write(&file, &crate::seed_resume::hr_file(&scenario));
    let out = seed_au(&sim, &file, &["-o", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "conflicts remain: {}",
        stderr(&out)
    );
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let failures: Vec<&Value> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["methods"].as_array().unwrap())
        .filter(|m| m["outcome"] == "failed")
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(doc["summary"]["created"], missing, "{}", doc["summary"]);
    let requests = service_requests(&sim, 0).await;
    let posts: Vec<&Value> = requests
        .iter()
        .filter(|r| r["service"] == "graph" && r["method"] == "POST" && r["path"] != "/v1.0/$batch")
        .collect();
    let throttled = posts.iter().filter(|r| r["throttled"] == true).count();
    assert!(throttled > 0, "the write limit was reached");
    let landed = posts
        .iter()
        .filter(|r| r["status"].as_u64() < Some(300))
        .count();
    assert_eq!(landed, missing, "every method created once");
}
