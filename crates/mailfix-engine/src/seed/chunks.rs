//! The HR file planned a chunk of rows at a time: each chunk is read, its users resolved, its
//! values checked, its users' methods read and its rows planned on their own, so that memory stays
//! flat however long the file is. What crosses chunks is small: the first line of each user (for
//! duplicates, by a 128-bit digest of the key), the tenant's domains, and the accepted domains,
//! read once.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;

use mailfix_client::{Client, Permission, UserId};
use sha2::{Digest, Sha256};

use super::csv::{HrReader, HrRecord, HrRow, RowProblem};
use super::error::{PER_USER_403, SeedError, refusals_are_per_user};
use super::input::{SeedEntry, SeedOptions, prepare};
use super::methods::{UserMethods, read_methods};
use super::plan::{RowPlan, SeedInput, plan_rows, users_to_read};
use super::resolve::{Resolved, accepted_domains, resolve_users};
use crate::events::Reporter;

/// Rows planned at once: enough for full `$batch`es of 20, few enough to keep memory flat.
pub const CHUNK_ROWS: usize = 1_000;

/// Reads and plans an HR file chunk by chunk.
pub struct ChunkPlanner<'a> {
    client: &'a Client,
    input: &'a SeedInput,
    reporter: &'a dyn Reporter,
    reader: HrReader<File>,
    /// Exchange's accepted domains, read before the first alternate email is checked.
    accepted: Option<Vec<String>>,
    /// The domains the resolved members use, so far.
    seen_domains: BTreeSet<String>,
    /// The first line of each user so far, by a digest of its key.
    first_line: HashMap<u128, u64>,
    /// Whether a 403 on one user is about that user (the sign-in holds the permission).
    per_user_403: Option<bool>,
}

impl<'a> ChunkPlanner<'a> {
    /// Opens the file and reads its header row.
    pub fn open(
        client: &'a Client,
        input: &'a SeedInput,
        reporter: &'a dyn Reporter,
    ) -> Result<Self, SeedError> {
        Ok(ChunkPlanner {
            client,
            input,
            reporter,
            reader: open_reader(input)?,
            accepted: None,
            seen_domains: BTreeSet::new(),
            first_line: HashMap::new(),
            per_user_403: None,
        })
    }

    /// The next chunk's records as read (for rows a stopped run does not plan), or `None` at the
    /// end of the file.
    pub fn next_records(&mut self) -> Result<Option<Vec<HrRecord>>, SeedError> {
        let mut records = Vec::new();
        while records.len() < CHUNK_ROWS {
            match self
                .reader
                .next_record()
                .map_err(|e| csv_error(self.input, e))?
            {
                Some(record) => records.push(record),
                None => break,
            }
        }
        Ok((!records.is_empty()).then_some(records))
    }

    /// The next chunk of rows, planned, in file order; `None` at the end of the file.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<RowPlan>>, SeedError> {
        let Some(records) = self.next_records()? else {
            return Ok(None);
        };
        let (rows, problems) = split(records);
        let resolved = resolve_users(self.client, rows.iter().map(|r| r.upn.as_str())).await?;
        self.seen_domains
            .extend(resolved.seen_domains.iter().cloned());
        let options = SeedOptions {
            default_region: self.input.default_region,
            tenant_domains: self.tenant_domains(&rows).await,
        };
        let mut entries = prepare(&rows, &options);
        self.mark_duplicates(&mut entries, &resolved);
        let users: Vec<UserId> = users_to_read(&entries, &resolved)
            .into_iter()
            .map(|u| UserId(u.id.clone()))
            .collect();
        let mut methods: HashMap<String, Result<UserMethods, String>> = HashMap::new();
        let per_user = self.refusals_are_per_user().await;
        for (user, read) in users.iter().zip(read_methods(self.client, &users).await?) {
            let read = match read {
                Ok(m) => Ok(m),
                Err(e) if e.is_forbidden() && per_user => Err(format!("{PER_USER_403} ({e})")),
                Err(e) if e.is_forbidden() || e.is_unauthorized() => return Err(e.into()),
                Err(e) => Err(e.to_string()),
            };
            methods.insert(user.0.clone(), read);
        }
        let update = self.input.update;
        Ok(Some(plan_rows(
            &entries, &problems, &resolved, &methods, update,
        )))
    }

    /// Whether a 403 on one user's methods fails that row only (read once per run).
    async fn refusals_are_per_user(&mut self) -> bool {
        if self.per_user_403.is_none() {
            self.per_user_403 =
                Some(refusals_are_per_user(self.client, Permission::AuthMethodReadAll).await);
        }
        self.per_user_403.unwrap_or(false)
    }

    /// The tenant's own domains for checking alternate emails: Exchange's accepted domains (read
    /// once, when the first row with an email comes) and the domains seen on members so far.
    async fn tenant_domains(&mut self, rows: &[HrRow]) -> Vec<String> {
        if self.accepted.is_none() && rows.iter().any(|r| r.email.is_some()) {
            self.accepted = Some(accepted_domains(self.client, self.reporter).await);
        }
        let mut domains = self.seen_domains.clone();
        domains.extend(self.accepted.iter().flatten().cloned());
        domains.into_iter().collect()
    }

    /// Marks the rows whose user an earlier row (of this chunk or an earlier one) names: by the
    /// resolved user, or by the value as written when the user is unknown.
    fn mark_duplicates(&mut self, entries: &mut [SeedEntry], resolved: &Resolved) {
        for entry in entries.iter_mut().filter(|e| e.duplicate_of.is_none()) {
            let key = match resolved.user(&entry.upn) {
                Some(user) => format!("id:{}", user.id.to_ascii_lowercase()),
                None => format!("upn:{}", entry.upn.trim().to_lowercase()),
            };
            match self.first_line.get(&digest(&key)) {
                Some(line) => entry.duplicate_of = Some(*line),
                None => {
                    self.first_line.insert(digest(&key), entry.line);
                }
            }
        }
    }
}

/// The HR file opened with its header row read.
pub fn open_reader(input: &SeedInput) -> Result<HrReader<File>, SeedError> {
    let file = File::open(&input.file).map_err(|source| SeedError::File {
        path: input.file.clone(),
        source,
    })?;
    HrReader::new(file, &input.csv).map_err(|e| csv_error(input, e))
}

/// A CSV error of `input`'s file.
pub fn csv_error(input: &SeedInput, source: super::csv::HrCsvError) -> SeedError {
    SeedError::Csv {
        path: input.file.clone(),
        source,
    }
}

fn split(records: Vec<HrRecord>) -> (Vec<HrRow>, Vec<RowProblem>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        match record {
            HrRecord::Row(row) => rows.push(row),
            HrRecord::Problem(problem) => problems.push(problem),
        }
    }
    (rows, problems)
}

/// The first 128 bits of the key's SHA-256: a map of them holds no strings, and two keys meet by
/// chance with a probability of about n² / 2¹²⁹.
fn digest(key: &str) -> u128 {
    let hash = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&hash[..16]);
    u128::from_be_bytes(first)
}
