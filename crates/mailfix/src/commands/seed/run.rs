//! Running `mailfix seed`: its own settings, the plan, confirmation, the journaled apply and the
//! report.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use mailfix_client::Permission;
use mailfix_engine::RunId;
use mailfix_engine::journal::Journal;
use mailfix_engine::seed::{
    ApplyOptions, ColumnMap, CsvOptions, RunStart, SeedError, SeedInput, SeedPlan, SeedReport,
    dry_run, execute, plan_seed, resume_target,
};

use super::render;
use super::sink::ReportSink;
use crate::cli::{SeedArgs, WriteArgs};
use crate::confirm;
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
    let dry = args.write.dry_run;
    let mut sink = ReportSink::new(
        &ctx.printer,
        ctx.settings.output,
        dry,
        args.report.as_deref(),
    )?;
    if html.is_some() {
        sink.keep_rows();
    }
    // A dry run's rows go out as they are planned, unless --max-changes must see the whole plan
    // first (a refused plan prints nothing): then the rows come from a second planning pass.
    let stream_now = dry && args.write.max_changes.is_none();
    let planning = plan_seed(
        &client,
        input,
        &*reporter,
        stream_now.then_some(&mut sink as _),
    )
    .await;
    let (plan, planned) = match planning {
        Ok(done) => done,
        Err(e) => return Err(sink.abort(seed_error(e))),
    };
    render::plan(ctx, &plan);
    plan.check_max_changes(args.write.max_changes)
        .map_err(seed_error)?;
    if dry {
        let planned = match stream_now {
            true => planned,
            false => {
                let again = plan_seed(&client, plan.input.clone(), &*reporter, Some(&mut sink));
                match again.await {
                    Ok((_, planned)) => planned,
                    Err(e) => return Err(sink.abort(seed_error(e))),
                }
            }
        };
        return finish(
            ctx,
            &client,
            started,
            dry_run(planned),
            sink,
            html_of(&html, args),
        );
    }
    // A resumed run was confirmed when it started (by --yes or at the prompt), as fix --resume.
    if settings.resume.is_none() {
        confirm(ctx, &plan, &args.write)?;
    }
    let journal = match journal {
        Some(j) => Some(j),
        None if plan.writes() > 0 => Some(ctx.journal_write("seed")?),
        None => None,
    };
    let applied = apply(
        ctx,
        &client,
        journal.as_ref(),
        &plan,
        start,
        &settings,
        &*reporter,
        &mut sink,
    )
    .await;
    match applied {
        Ok(report) => finish(ctx, &client, started, report, sink, html_of(&html, args)),
        Err(error) => Err(sink.abort(error)),
    }
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

#[allow(clippy::too_many_arguments, reason = "the run's parts, each needed")]
async fn apply(
    ctx: &Context,
    client: &mailfix_client::Client,
    journal: Option<&Journal>,
    plan: &SeedPlan,
    start: RunStart,
    settings: &SeedSettings,
    reporter: &dyn mailfix_engine::events::Reporter,
    sink: &mut ReportSink<'_>,
) -> Result<SeedReport, CliError> {
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
        sink,
    )
    .await;
    watcher.abort();
    result.map_err(|e| {
        let client_failure = matches!(e, SeedError::Client(_));
        let error = seed_error(e);
        if client_failure && let Some(hint) = journal.and_then(render::resume_hint) {
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

/// Asks before writing, as `fix` does (`crate::confirm`).
fn confirm(ctx: &Context, plan: &SeedPlan, write: &WriteArgs) -> Result<(), CliError> {
    let writes = plan.writes();
    if writes == 0 {
        return Ok(());
    }
    let question = format!(
        "Write {}?",
        crate::output::count(writes, "authentication method", "authentication methods")
    );
    confirm::confirm(&ctx.printer, write, &question)
}

/// The `--html` file with the HR file it names.
fn html_of<'a>(
    html: &'a Option<ReportFile>,
    args: &'a SeedArgs,
) -> Option<(&'a ReportFile, &'a std::path::Path)> {
    let source = args
        .file
        .as_deref()
        .unwrap_or(std::path::Path::new("(the resumed run's file)"));
    html.as_ref().map(|file| (file, source))
}

/// Ends the output, the `--report` file and the `--html` report, and picks the exit code.
fn finish(
    ctx: &Context,
    client: &mailfix_client::Client,
    started: Instant,
    report: SeedReport,
    sink: ReportSink<'_>,
    html: Option<(&ReportFile, &std::path::Path)>,
) -> Result<Exit, CliError> {
    let rows = render::output(ctx, client, started, &report, sink)?;
    if let Some((file, source)) = html {
        reports::write_seed(ctx, file, &report, &rows, source)?;
    }
    if report.interrupted {
        if let Some(run) = &report.run {
            ctx.printer.notice(&format!(
                "interrupted; resume with: {}",
                crate::commands::fix::with_journal(ctx, &format!("mailfix seed --resume {run}"))
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

/// Engine errors as the user sees them: file and plan problems are usage errors (exit 2).
fn seed_error(error: SeedError) -> CliError {
    match error {
        SeedError::Client(e) if e.is_forbidden() && e.operation().is_some_and(is_methods_call) => {
            // seed writes methods: reading them is not all it needs, so the hint names the
            // write permission (which includes the read one) even when a read was refused.
            CliError::from(e).hint(Permission::AuthMethodReadWriteAll.hint())
        }
        SeedError::Client(e) => CliError::from(e),
        SeedError::Journal(e) => CliError::from(e),
        SeedError::TooManyChanges { .. } => CliError::usage(error.to_string()).hint(
            "raise --max-changes, or split the HR file (--dry-run without --max-changes shows \
                 the plan)",
        ),
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

/// Whether a Graph operation reads or writes authentication methods (`methods.list`, ...).
fn is_methods_call(operation: &str) -> bool {
    operation.starts_with("methods.")
}

fn csv_hint(error: &mailfix_engine::seed::HrCsvError) -> Option<String> {
    use mailfix_engine::seed::HrCsvError as E;
    match error {
        E::Malformed { .. } => Some("check the quotes on that line, or pass --delimiter".into()),
        E::NoUserColumn { headers } | E::NothingToSeed { headers } => {
            other_delimiter(headers).map(|d| {
                format!(
                    "the header row reads as one column split by '{d}': pass --delimiter '{d}' \
                     (',', ';' and tab are found by themselves)"
                )
            })
        }
        _ => None,
    }
}

/// The delimiter a one-column header row seems to use instead of `,`, `;` or tab
/// (`UPN|Mobile|PersonalEmail`).
fn other_delimiter(headers: &str) -> Option<char> {
    if headers.contains(", ") {
        return None;
    }
    ['|', ':', '^', '~', '!']
        .into_iter()
        .find(|d| headers.matches(*d).count() >= 1)
}
