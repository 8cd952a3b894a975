//! The line a CSV record starts on, without holding the file: the csv crate reports a record's
//! position as the end of the record before it, so the blank lines it skipped in between are
//! counted from the bytes it was given, which are kept only from the last record on.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

/// The bytes given to the parser that may still precede a record.
#[derive(Debug, Default)]
struct Window {
    bytes: VecDeque<u8>,
    /// Offset in the stream of `bytes[0]`.
    start: u64,
}

/// A reader that keeps what it reads in a shared [`Window`] until [`Lines::skipped_at`] releases it.
pub struct Recorder<R> {
    inner: R,
    window: Arc<Mutex<Window>>,
}

/// Counts the blank lines at an offset of what a [`Recorder`] read.
#[derive(Clone, Default)]
pub struct Lines {
    window: Arc<Mutex<Window>>,
}

impl<R: Read> Recorder<R> {
    /// A recorder of `inner` and the counter that reads its window.
    pub fn new(inner: R) -> (Recorder<R>, Lines) {
        let lines = Lines::default();
        let recorder = Recorder {
            inner,
            window: lines.window.clone(),
        };
        (recorder, lines)
    }
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.window
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
            .extend(&buf[..n]);
        Ok(n)
    }
}

impl Lines {
    /// The line breaks in the run of `\r` and `\n` that starts at `offset`; everything before the
    /// offset is released.
    pub fn skipped_at(&self, offset: u64) -> u64 {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let drop = usize::try_from(offset.saturating_sub(window.start))
            .unwrap_or(usize::MAX)
            .min(window.bytes.len());
        window.bytes.drain(..drop);
        window.start += drop as u64;
        let breaks = window
            .bytes
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .filter(|b| **b == b'\n')
            .count();
        breaks as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_line_breaks_at_an_offset_and_forgets_what_came_before() {
        let (mut recorder, lines) = Recorder::new(&b"a\n\r\n\nb\nc"[..]);
        let mut all = Vec::new();
        recorder.read_to_end(&mut all).unwrap();
        assert_eq!(lines.skipped_at(2), 2, "\\r\\n and \\n after a");
        assert_eq!(lines.skipped_at(6), 1);
        assert_eq!(
            lines.window.lock().unwrap().bytes.len(),
            2,
            "only from the offset on"
        );
        assert_eq!(lines.skipped_at(8), 0);
    }
}
