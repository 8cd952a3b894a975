//! CSV that a spreadsheet opens safely: a value from the tenant or an HR file that starts like a
//! formula is written as text, whichever command writes it.

use crate::seed::{hr_tenant, seed_au};
use crate::support::{TestSim, stderr, stdout, write};

#[tokio::test]
async fn formula_like_values_are_written_as_text_in_csv() {
    let sim = TestSim::start(hr_tenant()).await;
    let hr = sim.path("hr.csv");
    let report = sim.path("report.csv");
    write(
        &hr,
        "upn,mobile\n\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",0412 345 678\n@SUM(1+1),0412 345 679\nanna@contoso.com,0412 345 680\n",
    );
    let out = seed_au(
        &sim,
        &hr,
        &["--report", report.to_str().unwrap(), "-o", "csv"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "two rows name no user: {}",
        stderr(&out)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&report).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the report holds personal data: a private file"
        );
    }
    for text in [std::fs::read_to_string(&report).unwrap(), stdout(&out)] {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let users: Vec<String> = reader
            .records()
            .map(|r| r.unwrap().get(1).unwrap().to_owned())
            .collect();
        assert_eq!(
            users,
            [
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
                "'@SUM(1+1)",
                "anna@contoso.com"
            ],
            "{text}"
        );
    }
}
