//! Running `mailfix seed`: its own settings, the plan, confirmation, the journaled apply and the
//! report.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use mailfix_engine::RunId;
use mailfix_engine::journal::Journal;
use mailfix_engine::seed::{
    ApplyOptions, ColumnMap, CsvOptions, RunStart, SeedError, SeedInput, SeedPlan, dry_run,
    execute, plan_seed, resume_target, without_writes,
};

use super::render;
use crate::cli::{SeedArgs, WriteArgs};
use crate::confirm::{self, Answer};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::html::{ReportFile, reports};
use crate::progress;

/// The command's flags, checked.
struct SeedSettings {
    input: SeedInput,
    /// `Some(None)`: resume the latest unfinished seed run.
    resume: Option<Option<RunId>>,
    apply: ApplyOptions,
}

impl SeedSettings {
    fn resolve(args: &SeedArgs) -> Result<SeedSettings, CliError> {
        let map: ColumnMap = match &args.map {
            Some(text) => text.parse().map_err(|e| CliError::usage(format!("{e}")))?,
            None => ColumnMap::default(),
        };
        let delimiter = args.delimiter.as_deref().map(delimiter).transpose()?;
        let default_region = match &args.default_region {
            Some(r) => Some(r.parse().map_err(|e| CliError::usage(format!("{e}")))?),
            None => None,
        };
        let resume = match args.resume.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(id) => Some(Some(
                id.parse()
                    .map_err(|e| CliError::usage(format!("--resume: {e}")))?,
            )),
        };
        let concurrency = args
            .write
            .concurrency
            .unwrap_or(ApplyOptions::default().concurrency);
        if concurrency == 0 {
            return Err(CliError::usage("--concurrency must be at least 1"));
        }
        Ok(SeedSettings {
            input: SeedInput {
                file: args.file.clone().unwrap_or_default(),
                csv: CsvOptions { delimiter, map },
                default_region,
                update: args.update,
            },
            resume,
            apply: ApplyOptions { concurrency },
        })
    }
}

/// `--delimiter`: one ASCII character other than a quote or a line break, or `tab`.
fn delimiter(text: &str) -> Result<u8, CliError> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match text.as_bytes() {
            [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
            _ => Err(CliError::usage(format!(
                "--delimiter '{text}': expected one character such as ',' or ';', or 'tab'"
            ))),
        },
    }
}

/// Runs `mailfix seed`.
pub async fn run(args: &SeedArgs, ctx: &Context) -> Result<Exit, CliError> {
    let settings = SeedSettings::resolve(args)?;
    let html = ReportFile::from_flag(args.html.path.as_deref())?;
    let started = Instant::now();
    let (journal, start, input) = start(ctx, args, &settings)?;
    let client = ctx.client()?;
    let reporter = progress::reporter(ctx.printer.clone());
    let plan = plan_seed(&client, input, &*reporter)
        .await
        .map_err(seed_error)?;
    render::plan(ctx, &plan);
    if args.write.dry_run {
        return finish(ctx, args, &client, started, dry_run(&plan), html.as_ref());
    }
    plan.check_max_changes(args.write.max_changes)
        .map_err(seed_error)?;
    confirm(ctx, &plan, &args.write)?;
    let journal = match journal {
        Some(j) => j,
        None if plan.writes() > 0 => ctx.journal_write("seed")?,
        None => {
            let report = without_writes(&plan);
            return finish(ctx, args, &client, started, report, html.as_ref());
        }
    };
    let report = apply(ctx, &client, &journal, &plan, start, &settings, &*reporter).await?;
    finish(ctx, args, &client, started, report, html.as_ref())
}

/// A new run, or the run `--resume` names (its journal is locked first; its input is what it
/// recorded).
fn start(
    ctx: &Context,
    args: &SeedArgs,
    settings: &SeedSettings,
) -> Result<(Option<Journal>, RunStart, SeedInput), CliError> {
    let Some(run) = &settings.resume else {
        let tenant = ctx.settings.tenant.as_ref().map(|t| t.value.clone());
        return Ok((None, RunStart::New { tenant }, settings.input.clone()));
    };
    if !ctx.journal_exists()? {
        // Nothing recorded: say so without creating a journal.
        let what = match run {
            Some(id) => format!("no run {id} in the journal"),
            None => "no unfinished seed run in the journal".to_owned(),
        };
        return Err(seed_error(SeedError::Resume(what)));
    }
    let journal = ctx.journal_write("seed")?;
    let target = resume_target(&journal, run.as_ref(), args.file.clone()).map_err(seed_error)?;
    let input = target.input.clone();
    Ok((Some(journal), RunStart::Resume(target), input))
}

async fn apply(
    ctx: &Context,
    client: &mailfix_client::Client,
    journal: &Journal,
    plan: &SeedPlan,
    start: RunStart,
    settings: &SeedSettings,
    reporter: &dyn mailfix_engine::events::Reporter,
) -> Result<mailfix_engine::seed::SeedReport, CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_ctrl_c(stop.clone());
    let result = execute(
        client,
        journal,
        plan,
        start,
        &settings.apply,
        reporter,
        &stop,
    )
    .await;
    watcher.abort();
    result.map_err(|e| {
        let client_failure = matches!(e, SeedError::Client(_));
        let error = seed_error(e);
        if client_failure && let Some(hint) = render::resume_hint(journal) {
            ctx.printer.status(&hint);
        }
        error
    })
}

/// Ctrl-C once: stop starting writes (the engine finishes those in flight). Twice: quit now; the
/// journal still says which writes may have landed.
fn watch_ctrl_c(stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::Relaxed);
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(i32::from(Exit::Interrupted.code()));
        }
    })
}

/// Asks before writing, as `fix` does (`crate::confirm`); a "no" is an error here: nothing was
/// written.
fn confirm(ctx: &Context, plan: &SeedPlan, write: &WriteArgs) -> Result<(), CliError> {
    let writes = plan.writes();
    if writes == 0 {
        return Ok(());
    }
    let question = format!("Write {writes} authentication methods?");
    match confirm::confirm(&ctx.printer, write, &question)? {
        Answer::Proceed => Ok(()),
        Answer::Declined => Err(CliError::usage("not confirmed; nothing was written")),
    }
}

/// Prints the report, writes `--report`, and picks the exit code.
fn finish(
    ctx: &Context,
    args: &SeedArgs,
    client: &mailfix_client::Client,
    started: Instant,
    report: mailfix_engine::seed::SeedReport,
    html: Option<&ReportFile>,
) -> Result<Exit, CliError> {
    if let Some(path) = &args.report {
        write_report(path, &report)?;
    }
    render::output(ctx, client, started, &report)?;
    if let Some(file) = html {
        let source = args
            .file
            .as_deref()
            .unwrap_or(std::path::Path::new("(the resumed run's file)"));
        reports::write_seed(ctx, file, &report, source)?;
    }
    if report.interrupted {
        if let Some(run) = &report.run {
            ctx.printer.notice(&format!(
                "interrupted; resume with: mailfix seed --resume {run}"
            ));
        }
        return Ok(Exit::Interrupted);
    }
    Ok(if report.summary.not_done > 0 {
        Exit::Incomplete
    } else {
        Exit::Success
    })
}

fn write_report(path: &Path, report: &mailfix_engine::seed::SeedReport) -> Result<(), CliError> {
    let text = render::report_csv(report)?;
    // It holds personal data (phone numbers, private email addresses): a private file.
    crate::output::write_private(path, text.as_bytes()).map_err(|e| {
        CliError::runtime(format!("cannot write the report {}", path.display())).cause(e)
    })
}

/// Engine errors as the user sees them: file and plan problems are usage errors (exit 2).
fn seed_error(error: SeedError) -> CliError {
    match error {
        SeedError::Client(e) => CliError::from(e),
        SeedError::Journal(e) => CliError::from(e),
        SeedError::TooManyChanges { .. } => {
            CliError::usage(error.to_string()).hint("raise --max-changes, or split the HR file")
        }
        SeedError::Csv { ref source, .. } => {
            let hint = csv_hint(source);
            let out = CliError::usage(error.to_string());
            match hint {
                Some(h) => out.hint(h),
                None => out,
            }
        }
        other => {
            let usage = other.is_usage();
            let headline = other.to_string();
            let out = if usage {
                CliError::usage(headline)
            } else {
                CliError::runtime(headline)
            };
            match std::error::Error::source(&other) {
                Some(source) => out.chain(source),
                None => out,
            }
        }
    }
}

fn csv_hint(error: &mailfix_engine::seed::HrCsvError) -> Option<&'static str> {
    use mailfix_engine::seed::HrCsvError as E;
    match error {
        E::Malformed { .. } => Some("check the quotes on that line, or pass --delimiter"),
        _ => None,
    }
}
