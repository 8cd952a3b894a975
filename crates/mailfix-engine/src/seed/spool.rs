//! A plan's rows kept on disk between the plan and the writes: one JSON line per row in an unnamed
//! temporary file (private, and gone when it is closed), so that the writes apply the plan as it
//! was shown and confirmed without planning the rows again (no second lookup of every user) and
//! without holding them in memory.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead as _, BufReader, BufWriter, Seek as _, SeekFrom, Write as _};

use super::plan::RowPlan;

/// Rows being written to the spool.
pub struct SpoolWriter {
    out: BufWriter<File>,
    rows: usize,
}

/// The rows of a plan, on disk.
pub struct Spool {
    file: File,
    rows: usize,
}

impl fmt::Debug for Spool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spool({} rows)", self.rows)
    }
}

impl SpoolWriter {
    /// A new, empty spool.
    pub fn new() -> io::Result<Self> {
        Ok(SpoolWriter {
            out: BufWriter::new(tempfile::tempfile()?),
            rows: 0,
        })
    }

    /// Adds a row.
    pub fn push(&mut self, row: &RowPlan) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, row).map_err(io::Error::other)?;
        self.out.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    /// The spool, written out.
    pub fn finish(self) -> io::Result<Spool> {
        let rows = self.rows;
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(Spool { file, rows })
    }
}

impl Spool {
    /// Reads the rows from the start, `chunk` at a time.
    pub fn chunks(&self, chunk: usize) -> io::Result<SpoolChunks<'_>> {
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0))?;
        Ok(SpoolChunks {
            reader: BufReader::new(file),
            chunk,
            line: String::new(),
        })
    }
}

/// The rows of a spool, a chunk at a time.
pub struct SpoolChunks<'a> {
    reader: BufReader<&'a File>,
    chunk: usize,
    line: String,
}

impl SpoolChunks<'_> {
    /// The next rows, or `None` at the end.
    pub fn next_chunk(&mut self) -> io::Result<Option<Vec<RowPlan>>> {
        let mut rows = Vec::new();
        while rows.len() < self.chunk {
            self.line.clear();
            if self.reader.read_line(&mut self.line)? == 0 {
                break;
            }
            rows.push(serde_json::from_str(&self.line).map_err(io::Error::other)?);
        }
        Ok((!rows.is_empty()).then_some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::UserRef;
    use crate::seed::decide::Decision;
    use crate::seed::methods::MethodKind;
    use crate::seed::plan::{MethodPlan, RowStatus};

    #[test]
    fn rows_come_back_as_they_went_in() {
        let rows = vec![
            RowPlan {
                line: 2,
                upn: "anna@contoso.com".into(),
                user: Some(UserRef::new("id-1", "anna@contoso.com")),
                status: RowStatus::Ready,
                methods: vec![
                    MethodPlan {
                        kind: MethodKind::Mobile,
                        value: "+61 412345678".into(),
                        decision: Decision::Update {
                            method_id: Some("3179e48a".into()),
                            from: "+61 400000000".into(),
                        },
                        masked: true,
                    },
                    MethodPlan {
                        kind: MethodKind::Email,
                        value: String::new(),
                        decision: Decision::Invalid {
                            reason: "not an address".into(),
                        },
                        masked: false,
                    },
                ],
                problems: vec![],
            },
            RowPlan {
                line: 3,
                upn: "bo@contoso.com".into(),
                user: None,
                status: RowStatus::Duplicate { of: 2 },
                methods: vec![],
                problems: vec!["mobile: too short".into()],
            },
        ];
        let mut writer = SpoolWriter::new().unwrap();
        for row in &rows {
            writer.push(row).unwrap();
        }
        let spool = writer.finish().unwrap();
        for _ in 0..2 {
            let mut chunks = spool.chunks(1).unwrap();
            assert_eq!(chunks.next_chunk().unwrap().unwrap(), rows[..1]);
            assert_eq!(chunks.next_chunk().unwrap().unwrap(), rows[1..]);
            assert_eq!(chunks.next_chunk().unwrap(), None);
        }
    }
}
