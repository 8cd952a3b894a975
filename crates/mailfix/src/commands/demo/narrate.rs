//! How the demo speaks: numbered step headings, the command each step runs, and short paragraphs
//! wrapped for a terminal. The story is the demo's output, so it goes to stdout with the commands'
//! tables; the commands' progress and status lines stay on stderr.

use std::cell::Cell;

use crate::printer::Printer;

/// Width narration is wrapped to.
const WIDTH: usize = 100;

/// Writes the story and counts its steps.
#[derive(Debug)]
pub struct Narrator<'a> {
    printer: &'a Printer,
    step: Cell<usize>,
}

impl<'a> Narrator<'a> {
    /// A narrator writing through `printer`.
    pub fn new(printer: &'a Printer) -> Self {
        Self {
            printer,
            step: Cell::new(0),
        }
    }

    /// The printer, for output that is not narration.
    pub fn printer(&self) -> &Printer {
        self.printer
    }

    /// The number of the step being told (0 before the first).
    pub fn current(&self) -> usize {
        self.step.get()
    }

    /// The story's title.
    pub fn title(&self, title: &str) {
        self.printer.story_heading(title);
    }

    /// A paragraph.
    pub fn say(&self, text: &str) {
        self.printer.data(&wrap(text, "", WIDTH));
    }

    /// A new step: its heading, why it matters, and the command it runs.
    pub fn step(&self, title: &str, command: &str, why: &str) {
        let n = self.step.get() + 1;
        self.step.set(n);
        self.printer.data("\n");
        self.printer.story_heading(&format!("── {n}. {title}"));
        self.say(why);
        self.printer.data(&format!("\n$ {command}\n"));
    }

    /// What the step showed and what comes next.
    pub fn then(&self, text: &str) {
        self.printer.data("\n");
        self.printer.data(&wrap(&format!("→ {text}"), "  ", WIDTH));
    }
}

/// `1 user`, `3 users`; `noun` may carry a verb (`user has` → `users have`).
pub fn plural(n: usize, noun: &str) -> String {
    let text = match (n, noun.split_once(' ')) {
        (1, _) => noun.to_owned(),
        (_, Some((word, "has"))) => format!("{word}s have"),
        (_, Some((word, rest))) => format!("{word}s {rest}"),
        (_, None) => format!("{noun}s"),
    };
    format!("{n} {text}")
}

/// Wraps `text` at `width` columns; lines after the first start with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fresh = line.trim().is_empty();
        if !fresh && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_owned();
        } else if !fresh {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_agree_with_their_verb() {
        assert_eq!(plural(1, "user"), "1 user");
        assert_eq!(plural(2, "user"), "2 users");
        assert_eq!(plural(1, "user has"), "1 user has");
        assert_eq!(plural(36, "user has"), "36 users have");
        assert_eq!(plural(3, "user fixed"), "3 users fixed");
    }

    #[test]
    fn paragraphs_wrap_at_the_width_and_indent_continuations() {
        let text = wrap("→ one two three four five", "  ", 10);
        assert_eq!(text, "→ one two\n  three\n  four\n  five\n");
        assert!(text.lines().all(|l| l.chars().count() <= 10));
        assert_eq!(wrap("a  b\n c", "", 80), "a b c\n");
        assert_eq!(
            wrap("x unbreakable-word", "  ", 5),
            "x\n  unbreakable-word\n"
        );
    }
}
