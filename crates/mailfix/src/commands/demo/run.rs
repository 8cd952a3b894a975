//! Running `mailfix demo`: start the simulator, tell the story, close or keep it running.

use std::sync::Arc;
use std::time::Instant;

use super::narrate::{Narrator, plural};
use super::setup::{self, Stage};
use super::story::{self, Ending, Told};
use crate::cli::DemoArgs;
use crate::commands::fix::secs;
use crate::error::CliError;
use crate::exit::Exit;
use crate::printer::Printer;

/// Runs `mailfix demo`.
pub async fn run(
    args: &DemoArgs,
    verbose: u8,
    printer: Arc<Printer>,
    trace: Option<Arc<mailfix_client::Trace>>,
) -> Result<Exit, CliError> {
    let started = Instant::now();
    let stage = Stage::start(printer.clone(), verbose, trace).await?;
    let story = Narrator::new(&printer);
    let told = tokio::select! {
        told = story::tell(&stage, &story) => told?,
        Ok(()) = tokio::signal::ctrl_c() => Told::Interrupted,
    };
    let Told::Ended(ending) = told else {
        printer.notice("Interrupted: the demo stopped; its simulator and journal are gone.");
        return Ok(Exit::Interrupted);
    };
    close(&story, &ending, started.elapsed().as_secs_f64());
    if args.keep {
        keep(&stage, &story).await?;
    }
    stage.shutdown().await;
    Ok(Exit::Success)
}

fn close(story: &Narrator<'_>, ending: &Ending, elapsed_s: f64) {
    story.printer().data("\n");
    story.title(&format!("Done in {}", secs(elapsed_s)));
    story.say(&format!(
        "audit showed {failing} failing with an empty `mail`; scan found {fixed} with MF001; fix \
         repaired all of them (run {run}); the second scan found none; {recovered} have \
         registered since; guard fixed {starters} new starters with the defect in one cycle.",
        failing = plural(ending.failing_mail_empty, "user"),
        fixed = ending.fixed,
        run = ending.run,
        recovered = plural(ending.recovered, "user"),
        starters = ending.starters_fixed,
    ));
}

/// `--keep`: the connection info (as `mailfix sim` prints it, plus the demo's journal and the
/// reports window for its clock), then serve until Ctrl-C.
async fn keep(stage: &Stage, story: &Narrator<'_>) -> Result<(), CliError> {
    story.printer().data("\n");
    story.title("The simulator keeps running (--keep)");
    story.say(&format!(
        "Connect to it from another terminal with the lines below; `mailfix runs` then shows the \
         demo's run. Its clock still runs {} times faster than real time, which \
         MAILFIX_REPORTS_WINDOW tells the client (audit paces itself by it).",
        setup::TIME_SCALE
    ));
    story.printer().data("\n");
    let journal = stage.journal().display().to_string();
    let extra = [
        crate::commands::sim_banner::reports_window_export(setup::TIME_SCALE),
        ("MAILFIX_JOURNAL", journal),
    ];
    let mut out = Vec::new();
    let sim = &stage.sim;
    let header = ("small", setup::SEED, stage.users);
    crate::commands::sim_banner::print_info(&mut out, &sim.info, &sim.base_url, header, &extra)
        .map_err(|e| CliError::runtime("cannot print the connection info").cause(e))?;
    story.printer().data(&String::from_utf8_lossy(&out));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::runtime("cannot wait for Ctrl-C").cause(e))
}
