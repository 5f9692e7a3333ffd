//! The command line: `marginalia [PROJECT]` opens the app; subcommands work without it.
//!
//! Exit codes: 0 success; 1 the project loaded but is not sound (`check`); 2 an error (a file that
//! cannot be read, parsed or written, or a bad command line). Errors go to stderr as
//! `marginalia: error: ` followed by the chain of causes, outermost first, separated by `: `.
//!
//! Nothing from a file reaches the terminal raw: every string of a project (paths, labels,
//! annotators, notes) and every message is printed through
//! [`crate::text::escape_for_terminal`], so a file can neither drive the terminal nor forge a line
//! of the report. The one exception is `agree --format csv`, data whose strings stay as they are.
//!
//! Commands that write a project (`new`, `import`, `merge`) save it like the app does (temporary
//! file, flushed, renamed); they refuse to replace an existing file without `--force`, and with it
//! keep the replaced file as `PROJECT.ron.bak`. `export` writes its file or folder whole or not at
//! all ([`crate::formats::export_from`]). No command ever writes over one of its inputs (the
//! project or corpus texts it reads, the file it imports): that is refused, with exit code 2.
//! `import` never replaces a corpus text either (one with the same bytes is reused; `--force`
//! replaces one with other bytes, keeping `NAME.bak`), writes the project only once every text is
//! written, and leaves neither behind when it fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

mod team;

use crate::file::Severity;
use crate::text::escape_for_terminal as shown;
use crate::workspace::Workspace;
/// The user's login name, as a default annotator name: it lives in the core
/// ([`crate::workspace::default_annotator`]), which the GUI uses too.
pub use crate::workspace::default_annotator;

/// Marginalia: annotate claims, sources and boilerplate in news articles.
///
/// With no command, opens the desktop app on PROJECT (default: the bundled sample project).
#[derive(Debug, Parser)]
#[command(name = "marginalia", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A project file (.ron) to open in the app.
    pub project: Option<PathBuf>,
    /// A command to run instead of the app.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a project from every .txt file below a folder (sorted by path).
    ///
    /// Files are read as UTF-8 (with or without BOM, CRLF kept); a file that is not UTF-8 is
    /// decoded as Windows-1252, with a warning naming it.
    New {
        /// The corpus: a folder of .txt files, or one file with an article a row (.jsonl, .json,
        /// .csv, .tsv), whose rows are written as texts into a folder beside the project.
        #[arg(long, value_name = "DIR|FILE")]
        corpus: PathBuf,
        /// With a corpus in one file: the column of the texts (default: `text`).
        #[arg(long, value_name = "NAME")]
        text_field: Option<String>,
        /// With a corpus in one file: the column that names the documents (default: `id` when
        /// there is one, else the row number).
        #[arg(long, value_name = "NAME")]
        id_field: Option<String>,
        /// With a corpus in one file: the folder to write the texts into (default: beside the
        /// project, named after the file).
        #[arg(long, value_name = "DIR")]
        texts: Option<PathBuf>,
        /// Where to write the project file.
        #[arg(short, long, value_name = "PROJECT.ron")]
        output: PathBuf,
        /// The annotator who will own the project (default: your user name).
        #[arg(long, value_name = "NAME")]
        annotator: Option<String>,
        /// Overwrite the output file if it exists (the old one is kept as PROJECT.ron.bak).
        #[arg(long)]
        force: bool,
    },
    /// Export the annotations for training and analysis, or for another tool.
    ///
    /// Offsets count Unicode code points of the raw text (BOM and CR included), half-open.
    Export {
        /// The project file.
        project: PathBuf,
        /// The output format.
        #[arg(long, short, value_enum)]
        format: crate::formats::Format,
        /// Where to write: a file (jsonl, doccano, conll, csv, spacy) or a folder (brat,
        /// label-studio).
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
        /// Only the documents marked done.
        #[arg(long)]
        only_done: bool,
        /// Only these labels (comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "LABELS")]
        labels: Option<Vec<String>>,
        /// Leave boilerplate spans out.
        #[arg(long)]
        no_boilerplate: bool,
        /// jsonl: cut boilerplate out of the text and re-offset the other spans.
        #[arg(long)]
        text_without_boilerplate: bool,
        /// conll: how overlapping spans are written.
        #[arg(long, value_enum, default_value_t)]
        overlap: crate::formats::OverlapPolicy,
        /// Keep the unresolved candidates of a gold project (spans still in dispute), which are
        /// left out by default: jsonl and csv mark them ("unresolved": true, an unresolved
        /// column), the other formats write them as ordinary spans.
        #[arg(long)]
        include_unresolved: bool,
    },
    /// Import annotations made in brat, doccano, Label Studio, or Marginalia's jsonl.
    ///
    /// The texts are written into a corpus folder, the schema is built from the labels met, and
    /// whatever cannot be mapped is reported: nothing is dropped silently.
    Import {
        /// The input format (only the formats that can be imported are offered).
        #[arg(long, short, value_parser = ImportFormat)]
        format: crate::formats::Format,
        /// The file (or brat folder) to import.
        input: PathBuf,
        /// The project file to create.
        #[arg(short, long, value_name = "PROJECT.ron")]
        output: PathBuf,
        /// Where to write the texts (default: a folder named after the project, beside it).
        ///
        /// A text already there with the same bytes is reused; one with other bytes stops the
        /// import before anything is written, unless --force.
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// The annotator who will own the project (default: your user name).
        #[arg(long, value_name = "NAME")]
        annotator: Option<String>,
        /// Replace the output file and the corpus texts with other contents if they exist
        /// (each old file is kept as NAME.bak, e.g. PROJECT.ron.bak).
        #[arg(long)]
        force: bool,
    },
    /// Agreement between annotators: projects over the same corpus (documents matched by hash).
    ///
    /// Prints, for each pair of annotators (and all of them when more than two): exact-span and
    /// overlap precision, recall and F1 (the first project of the pair is the reference), Cohen's
    /// κ and Krippendorff's α on tokens, and Krippendorff's unitizing αu on characters; overall,
    /// then by label or by document. Undefined values (nothing to compare) print as "undefined"
    /// (null in JSON).
    Agree {
        /// Two or more project files.
        #[arg(required = true, num_args = 2.., value_name = "PROJECT.ron")]
        projects: Vec<PathBuf>,
        /// The rows after the overall one: one a label or one a document.
        #[arg(long, value_enum, default_value_t)]
        by: AgreeBy,
        /// How to print.
        #[arg(long, short, value_enum, default_value_t)]
        format: AgreeFormat,
    },
    /// Merge annotators' projects on the same corpus into a gold project, for adjudication.
    ///
    /// The policy decides what is accepted without a ruling: `intersection` the spans everyone
    /// has, `union` every span nobody contradicts, `majority` (three projects or more) the spans
    /// more than half have. Every other span is kept as an unresolved candidate, marked with the
    /// annotators who had it, for an adjudicator to rule on in the app (Review → Adjudicate).
    Merge {
        /// Two or more project files.
        #[arg(required = true, num_args = 2.., value_name = "PROJECT.ron")]
        projects: Vec<PathBuf>,
        /// Where to write the gold project.
        #[arg(short, long, value_name = "GOLD.ron")]
        output: PathBuf,
        /// What is accepted without a ruling.
        #[arg(long, value_enum, default_value_t)]
        policy: MergePolicy,
        /// The adjudicator who will own the gold project (default: your user name).
        #[arg(long, value_name = "NAME")]
        annotator: Option<String>,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Suggest spans and links: write a project where they wait for review, or measure them.
    ///
    /// The suggesters find candidate spans (and the links between them) in every document that
    /// can be annotated: boilerplate (repeated lines, scraper leftovers), attribution (quotes
    /// and reporting constructions), patterns (the dictionaries and regular expressions of the
    /// project's schema) and recurring (texts labelled elsewhere in the project). A suggestion
    /// identical to an existing span, or rejected before, is never made. With -o, writes a
    /// project in which they are pending (replacing the pending ones), for the app to walk
    /// through; with --accept-all, accepted as spans that keep the rule that suggested them.
    /// With --eval, prints precision, recall and F1 per suggester and label against a gold
    /// project (exact and overlap, as `agree` matches spans; documents matched by hash) and
    /// writes nothing; the suggestions are then made without the project's own spans of each
    /// document (recurring learns from the others), so `suggest GOLD.ron --eval GOLD.ron` is a
    /// fair measure. A summary of what was suggested goes to stderr.
    Suggest {
        /// The project file.
        project: PathBuf,
        /// Where to write the project with the suggestions.
        #[arg(
            short,
            long,
            value_name = "OUT.ron",
            required_unless_present = "eval",
            conflicts_with = "eval"
        )]
        output: Option<PathBuf>,
        /// Measure the suggestions against this gold project instead of writing them.
        #[arg(long, value_name = "GOLD.ron")]
        eval: Option<PathBuf>,
        /// The suggesters to run, comma-separated (default: all of them).
        #[arg(
            long,
            value_delimiter = ',',
            value_name = "SUGGESTERS",
            default_value = "boilerplate,attribution,patterns,recurring"
        )]
        suggesters: Vec<crate::suggest::Suggester>,
        /// Accept every suggestion (with its link) instead of leaving them pending.
        #[arg(long, conflicts_with = "eval")]
        accept_all: bool,
        /// Overwrite the output file if it exists (the old one is kept as OUT.ron.bak).
        #[arg(long, conflicts_with = "eval")]
        force: bool,
    },
    /// Share a team folder's documents out among annotators: writes DIR/team.ron.
    ///
    /// Every document goes to one annotator, and the --overlap share of them (0.2: a fifth,
    /// rounded) to two different annotators, so that their agreement can be measured. The load
    /// is balanced (nobody has more than one document more than another) and the assignment is
    /// the same for the same documents, annotators and seed. The corpus is --corpus, else
    /// DIR/corpus, else the corpus folder of the projects in DIR.
    Assign {
        /// The team folder.
        dir: PathBuf,
        /// The annotators, comma-separated.
        #[arg(long, required = true, value_delimiter = ',', value_name = "NAMES")]
        annotators: Vec<String>,
        /// The share of the documents given to two annotators, from 0 to 1.
        #[arg(
            long,
            default_value_t = 0.0,
            value_name = "SHARE",
            allow_negative_numbers = true
        )]
        overlap: f64,
        /// The seed of the draw (default: a new one, printed and kept in team.ron).
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// The corpus folder (default: DIR/corpus, or the corpus of the projects in DIR).
        #[arg(long, value_name = "CORPUS")]
        corpus: Option<PathBuf>,
        /// Replace an existing team.ron (the old one is kept as team.ron.bak).
        #[arg(long)]
        force: bool,
    },
    /// Put Marginalia in the desktop's launcher and open project files with it: writes a
    /// .desktop entry, the icon and a MIME type for project files under ~/.local/share (or
    /// `$XDG_DATA_HOME`), for this program where it is now.
    InstallDesktop,
    /// A team folder: each annotator's project with its documents and spans.
    ///
    /// With --init-git, sets the git repository of DIR up to merge project files span by span
    /// (`*.ron merge=marginalia` in DIR/.gitattributes, and the driver in the repository's git
    /// configuration, which each clone sets once).
    Team {
        /// The team folder.
        dir: PathBuf,
        /// Register Marginalia as git's merge driver for the project files of DIR.
        #[arg(long)]
        init_git: bool,
    },
    /// git's merge driver for project files (registered by `team DIR --init-git`).
    ///
    /// Merges two versions of a project with their common ancestor, span by span and link by
    /// link, into OURS. Spans changed differently on both sides are kept as unresolved
    /// candidates, listed on stderr, to rule on in Review → Adjudicate. Exits with 0 when OURS
    /// holds the merged project, non-zero (OURS unchanged) when a version cannot be read.
    MergeDriver {
        /// The common ancestor's version (git's %O).
        ancestor: PathBuf,
        /// Our version, where the result is written (git's %A).
        ours: PathBuf,
        /// Their version (git's %B).
        theirs: PathBuf,
        /// The project file's path in the repository (git's %P).
        path: Option<PathBuf>,
    },
    /// Load a project and its corpus; print documents, spans per label and any problem.
    ///
    /// Exits with 0 only when the project is sound.
    Check {
        /// The project file.
        project: PathBuf,
    },
}

/// The value of `import --format`: the formats that can be imported
/// ([`crate::formats::Format::can_import`]), the only ones its help lists. Naming one that cannot
/// be imported says so.
#[derive(Clone, Copy, Debug)]
struct ImportFormat;

impl ImportFormat {
    fn values() -> impl Iterator<Item = clap::builder::PossibleValue> {
        use clap::ValueEnum as _;
        crate::formats::Format::value_variants()
            .iter()
            .filter(|f| f.can_import())
            .filter_map(clap::ValueEnum::to_possible_value)
    }
}

impl clap::builder::TypedValueParser for ImportFormat {
    type Value = crate::formats::Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        use clap::ValueEnum as _;
        let not_importable = crate::formats::Format::ALL
            .into_iter()
            .find(|f| !f.can_import() && std::ffi::OsStr::new(f.name()) == value);
        if let Some(format) = not_importable {
            let names: Vec<String> = Self::values().map(|v| v.get_name().to_owned()).collect();
            return Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "{} files cannot be imported (import reads {})\n",
                    format.name(),
                    names.join(", ")
                ),
            )
            .with_cmd(cmd));
        }
        let name =
            clap::builder::PossibleValuesParser::new(Self::values()).parse_ref(cmd, arg, value)?;
        crate::formats::Format::from_str(&name, false)
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e).with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(Self::values()))
    }
}

/// The policy of `merge` (see [`crate::review::adjudicate::Policy`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MergePolicy {
    /// Accept the spans every annotator has.
    #[default]
    Intersection,
    /// Accept every span nobody contradicts.
    Union,
    /// Accept the spans more than half the annotators have (three projects or more).
    Majority,
}

/// The breakdown of `agree`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AgreeBy {
    /// One row a label.
    #[default]
    Label,
    /// One row a document.
    Doc,
}

/// The output of `agree`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AgreeFormat {
    /// Aligned columns, values rounded to 3 decimals.
    #[default]
    Table,
    /// Comma-separated, one row a line, values unrounded.
    Csv,
    /// One JSON object, values unrounded, undefined as null.
    Json,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => match run(command, &mut std::io::stdout()) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("marginalia: error: {}", shown(&format!("{error:#}")));
                ExitCode::from(2)
            }
        },
        None => open_app(cli.project),
    }
}

#[cfg(feature = "gui")]
fn open_app(project: Option<PathBuf>) -> ExitCode {
    match crate::ui::run(project.or_else(sample_project)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("marginalia: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_app(_project: Option<PathBuf>) -> ExitCode {
    eprintln!(
        "marginalia: this build has no GUI (built without the `gui` feature); see --help for the commands"
    );
    ExitCode::from(2)
}

/// The bundled sample project: `projects/sample.ron` from the current folder, or from the source
/// tree this binary was built from.
pub fn sample_project() -> Option<PathBuf> {
    let relative = Path::new("projects").join("sample.ron");
    [
        relative.clone(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Runs a command, writing its report to `out`.
pub fn run(command: Command, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    match command {
        Command::New {
            corpus,
            text_field,
            id_field,
            texts,
            output,
            annotator,
            force,
        } => {
            refuse_overwrite(&output, force)?;
            let annotator = annotator.unwrap_or_else(default_annotator);
            if !corpus.is_dir() && crate::formats::rows::is_rows_file(&corpus) {
                let columns = crate::formats::rows::RowColumns {
                    text: text_field,
                    id: id_field,
                };
                return new_from_rows(out, &corpus, &columns, texts, &output, &annotator, force);
            }
            if text_field.is_some() || id_field.is_some() || texts.is_some() {
                anyhow::bail!(
                    "--text-field, --id-field and --texts apply to a corpus in one file (.jsonl,                      .json, .csv, .tsv); {} is a folder",
                    corpus.display()
                );
            }
            let mut workspace = Workspace::from_folder(&corpus, &annotator)
                .with_context(|| format!("cannot create a project from {}", corpus.display()))?;
            for problem in workspace.problems() {
                eprintln!("marginalia: warning: {}", problem.for_terminal());
            }
            crate::file::refuse_inputs(
                &output,
                false,
                &crate::formats::export_inputs(workspace.project(), None),
            )?;
            workspace.save_as(&output)?;
            writeln!(
                out,
                "created {} with {} document(s) from {} for {}",
                shown_path(&output),
                workspace.project().documents.len(),
                shown_path(&corpus),
                shown(&annotator)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            project,
            format,
            output,
            only_done,
            labels,
            no_boilerplate,
            text_without_boilerplate,
            overlap,
            include_unresolved,
        } => {
            let workspace = open_project(&project)?;
            for problem in workspace.problems() {
                eprintln!("marginalia: warning: {}", problem.for_terminal());
            }
            let options = crate::formats::ExportOptions {
                only_done,
                labels: labels.map(|l| l.into_iter().collect()),
                boilerplate: !no_boilerplate,
                text_without_boilerplate,
                overlap,
                include_unresolved,
            };
            let report = crate::formats::export_from(
                workspace.project(),
                Some(&project),
                format,
                &options,
                &output,
                &mut |_, _| {},
            )
            .with_context(|| format!("cannot export {} as {}", project.display(), format.name()))?;
            for note in &report.notes {
                eprintln!("marginalia: note: {}", shown(note));
            }
            writeln!(
                out,
                "exported {} document(s), {} span(s), {} link(s) to {} ({})",
                report.documents,
                report.spans,
                report.relations,
                shown_path(&output),
                format.name()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            format,
            input,
            output,
            corpus,
            annotator,
            force,
        } => {
            refuse_overwrite(&output, force)?;
            let corpus = corpus.unwrap_or_else(|| {
                let stem = output.file_stem().map_or_else(
                    || "imported".to_owned(),
                    |s| s.to_string_lossy().into_owned(),
                );
                output.with_file_name(format!("{stem}-corpus"))
            });
            let inputs = [if input.is_dir() {
                crate::file::Input::folder(&input, "the folder being imported")
            } else {
                crate::file::Input::file(&input, "the file being imported")
            }];
            crate::file::refuse_inputs(&output, false, &inputs)?;
            crate::file::refuse_inputs(&corpus, true, &inputs)
                .context("the texts cannot be written there (give another --corpus)")?;
            let imported = crate::formats::import(format, &input).with_context(|| {
                format!("cannot import {} as {}", input.display(), format.name())
            })?;
            let annotator = annotator.unwrap_or_else(default_annotator);
            // All or nothing: the texts, then the project file; on failure neither is left.
            let (project, report) = crate::formats::import_project_reported(
                imported, &output, &corpus, &annotator, force,
            )
            .with_context(|| {
                format!(
                    "cannot import into {} (texts in {})",
                    output.display(),
                    corpus.display()
                )
            })?;
            // What was read another way is said as such; "not imported" is only what is not in
            // the project.
            for line in &report.notes {
                eprintln!("marginalia: note: {}", shown(line));
            }
            for line in &report.not_imported {
                eprintln!("marginalia: not imported: {}", shown(line));
            }
            let lost = (!report.not_imported.is_empty()).then(|| {
                format!(
                    "; {} item(s) not imported (listed above)",
                    report.not_imported.len()
                )
            });
            let noted = (!report.notes.is_empty()).then(|| {
                format!(
                    "; {} note(s) on how it was read (above)",
                    report.notes.len()
                )
            });
            let said: String = lost.into_iter().chain(noted).collect();
            writeln!(
                out,
                "imported {} document(s), {} span(s) into {} (texts in {}){said}",
                project.documents.len(),
                project.annotation_count(),
                shown_path(&output),
                shown_path(&corpus),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Agree {
            projects,
            by,
            format,
        } => {
            let workspaces = open_all(&projects)?;
            let refs: Vec<&crate::model::Project> =
                workspaces.iter().map(Workspace::project).collect();
            let by = match by {
                AgreeBy::Label => crate::review::agreement::By::Label,
                AgreeBy::Doc => crate::review::agreement::By::Document,
            };
            let report = crate::review::agreement::compare(&refs, by);
            if report.matched == 0 {
                // Then every document is in one project only: one line says it, not one each.
                eprintln!(
                    "marginalia: warning: the projects have no document in common (documents are \
                     matched by content, not by name): nothing is compared"
                );
            }
            for (path, have) in report.partial.iter().filter(|_| report.matched > 0) {
                let names: Vec<&str> = have
                    .iter()
                    .filter_map(|&i| report.annotators.get(i).map(String::as_str))
                    .collect();
                eprintln!(
                    "marginalia: warning: {} is only in the project(s) of {}",
                    shown(path),
                    shown(&names.join(", "))
                );
            }
            for path in &report.mismatches {
                eprintln!(
                    "marginalia: warning: {} has different contents (hashes) in different projects",
                    shown(path)
                );
            }
            match format {
                AgreeFormat::Table => crate::review::report::table(&report, out)?,
                AgreeFormat::Csv => crate::review::report::csv(&report, out)?,
                AgreeFormat::Json => crate::review::report::json(&report, out)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Merge {
            projects,
            output,
            policy,
            annotator,
            force,
        } => {
            use crate::review::adjudicate::{self, Policy};
            refuse_overwrite(&output, force)?;
            let workspaces = open_all(&projects)?;
            let refs: Vec<&crate::model::Project> =
                workspaces.iter().map(Workspace::project).collect();
            let inputs: Vec<crate::file::Input> = projects
                .iter()
                .map(|p| crate::file::Input::file(p, "one of the projects being merged"))
                .chain(
                    refs.iter()
                        .flat_map(|p| crate::formats::export_inputs(p, None)),
                )
                .collect();
            crate::file::refuse_inputs(&output, false, &inputs)?;
            let policy = match policy {
                MergePolicy::Intersection => Policy::Intersection,
                MergePolicy::Union => Policy::Union,
                MergePolicy::Majority => Policy::Majority,
            };
            let adjudicator = annotator.unwrap_or_else(default_annotator);
            let (gold, summary) = adjudicate::merge(&refs, policy, &adjudicator)?;
            for path in &summary.partial {
                eprintln!(
                    "marginalia: warning: {} is only in some of the projects",
                    shown(path)
                );
            }
            for path in &summary.mismatches {
                eprintln!(
                    "marginalia: warning: {} has different contents (hashes) in different projects",
                    shown(path)
                );
            }
            crate::file::save(&gold, &output)
                .with_context(|| format!("cannot write {}", output.display()))?;
            writeln!(
                out,
                "merged {} ({} policy) into {}: {} document(s), {} span(s) accepted, {} \
                 unresolved in {} place(s) to rule on, {} dropped, {} set aside (detached: not \
                 placed on the current text, as in the projects), {} link(s)",
                shown(&summary.annotators.join(", ")),
                policy.name(),
                shown_path(&output),
                summary.documents,
                summary.accepted,
                summary.unresolved,
                summary.disputes,
                summary.dropped,
                summary.detached,
                summary.links,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Suggest {
            project,
            output,
            eval,
            suggesters,
            accept_all,
            force,
        } => {
            let workspace = open_project(&project)?;
            for problem in workspace.problems() {
                eprintln!("marginalia: warning: {}", problem.for_terminal());
            }
            if let Some(gold_path) = eval {
                let gold = open_all(std::slice::from_ref(&gold_path))?;
                let gold = gold
                    .first()
                    .context("the gold project could not be opened")?;
                // Made without looking at the project's own spans of a document (recurring
                // learns from the other documents): with the gold as PROJECT, the figures of
                // the benchmark (`cargo bench --bench suggest`).
                let found = crate::suggest::eval::held_out(workspace.project(), &suggesters);
                summarize(&found, "suggested");
                let blank = crate::suggest::eval::without_spans(workspace.project());
                let report = crate::suggest::eval::evaluate(&blank, &found, gold.project());
                write!(out, "{report}")?;
                return Ok(ExitCode::SUCCESS);
            }
            let Some(output) = output else {
                anyhow::bail!("give -o OUT.ron to write the suggestions, or --eval GOLD.ron");
            };
            refuse_overwrite(&output, force)?;
            let inputs: Vec<crate::file::Input> =
                std::iter::once(crate::file::Input::file(&project, "the project"))
                    .chain(crate::formats::export_inputs(workspace.project(), None))
                    .collect();
            crate::file::refuse_inputs(&output, false, &inputs)?;
            let (suggested, written) = suggest(workspace.project(), &suggesters, accept_all)?;
            crate::file::save(&suggested, &output)
                .with_context(|| format!("cannot write {}", output.display()))?;
            writeln!(out, "{} in {}", written, shown_path(&output))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Assign {
            dir,
            annotators,
            overlap,
            seed,
            corpus,
            force,
        } => team::assign(
            &dir,
            &annotators,
            overlap,
            seed,
            corpus.as_deref(),
            force,
            out,
        ),
        Command::InstallDesktop => {
            let home =
                crate::desktop::data_home().ok_or(crate::desktop::DesktopError::NoDataHome)?;
            let exe = std::env::current_exe().context("cannot find the path of this program")?;
            let installed =
                crate::desktop::install(&home, &exe).context("cannot install the desktop entry")?;
            for file in &installed.files {
                writeln!(out, "wrote {}", shown_path(file))?;
            }
            for note in &installed.notes {
                writeln!(out, "{}", shown(note))?;
            }
            writeln!(
                out,
                "Marginalia is in the launcher; project files open with it ({})",
                crate::desktop::PROJECT_MIME
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Team { dir, init_git } => {
            if init_git {
                team::init_git_merge(&dir, out)
            } else {
                team::team_summary(&dir, out)
            }
        }
        Command::MergeDriver {
            ancestor,
            ours,
            theirs,
            path,
        } => team::merge_driver(&ancestor, &ours, &theirs, path.as_deref()),
        Command::Check { project } => {
            let workspace = open_project(&project)?;
            warn_about_recovery(&project);
            report(&workspace, out)?;
            let sound = workspace
                .problems()
                .iter()
                .all(|p| p.severity() < Severity::Error);
            Ok(if sound {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// `project` with the suggestions of `suggesters` pending (or, with `accept_all`, accepted),
/// and what happened, in words. The counts per suggester and label go to stderr.
fn suggest(
    project: &crate::model::Project,
    suggesters: &[crate::suggest::Suggester],
    accept_all: bool,
) -> anyhow::Result<(crate::model::Project, String)> {
    use crate::edit::build;
    let found = crate::suggest::run(project, suggesters);
    let mut project = project.clone();
    build::offer(&project, found)
        .apply(&mut project)
        .context("cannot add the suggestions to the project")?;
    let pending: Vec<Vec<crate::suggest::Suggestion>> = project
        .documents
        .iter()
        .map(|d| d.suggestions.clone())
        .collect();
    let count: usize = pending.iter().map(Vec::len).sum();
    let documents = pending.iter().filter(|p| !p.is_empty()).count();
    if !accept_all {
        summarize(&pending, "pending");
        return Ok((
            project,
            format!("{count} suggestion(s) pending in {documents} document(s)"),
        ));
    }
    summarize(&pending, "accepted");
    let (spans, links) = (project.annotation_count(), relation_count(&project));
    let mut rules: Vec<crate::suggest::Rule> =
        pending.iter().flatten().map(|s| s.rule.clone()).collect();
    rules.sort();
    rules.dedup();
    for rule in rules {
        if build::count_rule(&project, &rule, None) == 0 {
            // All accepted already, as the other ends of links.
            continue;
        }
        let mut next = project.next_id;
        let accepted = build::accept_rule(&project, &rule, None, || {
            next += 1;
            crate::model::Id(next - 1)
        });
        let applied = accepted
            .map_err(anyhow::Error::new)
            .and_then(|(_, edit)| edit.apply(&mut project).map_err(anyhow::Error::new));
        if let Err(error) = applied {
            // The others are still accepted; these stay pending.
            eprintln!(
                "marginalia: warning: the suggestions of {} stay pending: {}",
                shown(&rule.to_string()),
                shown(&format!("{error:#}"))
            );
        }
    }
    let (spans, links) = (
        project.annotation_count() - spans,
        relation_count(&project) - links,
    );
    Ok((
        project,
        format!("{spans} span(s) and {links} link(s) accepted from suggestions"),
    ))
}

fn relation_count(project: &crate::model::Project) -> usize {
    project.documents.iter().map(|d| d.relations.len()).sum()
}

/// Prints on stderr how many suggestions each suggester made, per label.
fn summarize(found: &[Vec<crate::suggest::Suggestion>], what: &str) {
    let mut counts: std::collections::BTreeMap<(crate::suggest::Suggester, &str), usize> =
        std::collections::BTreeMap::new();
    for s in found.iter().flatten() {
        *counts
            .entry((s.rule.suggester, s.label.as_str()))
            .or_default() += 1;
    }
    let total: usize = counts.values().sum();
    eprintln!("marginalia: {total} suggestion(s) {what}");
    for ((suggester, label), n) in counts {
        eprintln!(
            "marginalia:   {suggester:<11}  {:<12}  {n:>6}",
            shown(label)
        );
    }
}

/// Opens the project at `path`, warning on stderr before its texts are read when its corpus
/// folder lies outside the folder of the project file and that folder's parent (a project file
/// from someone else chooses its own corpus: `/etc`, say).
fn open_project(path: &Path) -> anyhow::Result<Workspace> {
    Workspace::open_confirming(path, |corpus| {
        eprintln!(
            "marginalia: warning: {} reads its texts from {}, outside the folder of the project \
             file and the folder above it: make sure you trust this project file",
            path.display(),
            corpus.display()
        );
        true
    })
    .with_context(|| format!("cannot load {}", path.display()))
}

/// Opens every project of `paths`, warning on stderr of what loading found.
fn open_all(paths: &[PathBuf]) -> anyhow::Result<Vec<Workspace>> {
    paths
        .iter()
        .map(|path| {
            let workspace = open_project(path)?;
            for problem in workspace.problems() {
                eprintln!(
                    "marginalia: warning: {}: {}",
                    shown_path(path),
                    problem.for_terminal()
                );
            }
            Ok(workspace)
        })
        .collect()
}

/// `new --corpus FILE`: a project over the rows of a JSONL, JSON or CSV file, each row's text
/// written as a `.txt` into `texts` (by default a folder beside the project named after the
/// file), the other columns kept as the documents' metadata. All or nothing, as an import.
fn new_from_rows(
    out: &mut dyn std::io::Write,
    input: &Path,
    columns: &crate::formats::rows::RowColumns,
    texts: Option<PathBuf>,
    output: &Path,
    annotator: &str,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let texts = texts.unwrap_or_else(|| {
        let stem = input
            .file_stem()
            .map_or_else(|| "corpus".to_owned(), |s| s.to_string_lossy().into_owned());
        output.with_file_name(stem)
    });
    let inputs = [crate::file::Input::file(input, "the corpus file")];
    crate::file::refuse_inputs(output, false, &inputs)?;
    crate::file::refuse_inputs(&texts, true, &inputs)
        .context("the texts cannot be written there (give another --texts)")?;
    let imported = crate::formats::rows::read(input, columns)
        .with_context(|| format!("cannot read the corpus in {}", input.display()))?;
    let (project, report) = crate::formats::import_project(
        imported, output, &texts, annotator, force,
    )
    .with_context(|| {
        format!(
            "cannot create {} (texts in {})",
            output.display(),
            texts.display()
        )
    })?;
    for line in &report {
        eprintln!("marginalia: warning: {}", shown(line));
    }
    writeln!(
        out,
        "created {} with {} document(s) from {} (texts in {}) for {}",
        shown_path(output),
        project.documents.len(),
        shown_path(input),
        shown_path(&texts),
        shown(annotator)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses to overwrite `output` unless `force` is given.
fn refuse_overwrite(output: &Path, force: bool) -> anyhow::Result<()> {
    if output.exists() && !force {
        anyhow::bail!(
            "{} already exists (use --force to overwrite it)",
            output.display()
        );
    }
    Ok(())
}

/// Warns when unsaved changes of a crashed session wait beside `project`.
fn warn_about_recovery(project: &Path) {
    match crate::recovery::find(project) {
        Ok(None) => {}
        Ok(Some(found)) => eprintln!(
            "marginalia: warning: {} holds unsaved changes from {} (UTC) that are not in the \
             project file: open the project in the app to restore or discard them",
            shown_path(found.file()),
            found.written()
        ),
        Err(error) => eprintln!(
            "marginalia: warning: {}",
            shown(&format!("{:#}", anyhow::Error::new(error)))
        ),
    }
}

/// A path as the command line prints it (see [`crate::text::escape_for_terminal`]).
fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}

/// Writes the `check` report of a workspace.
fn report(workspace: &Workspace, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let project = workspace.project();
    // Each label as printed, and the width of its column.
    let labels: Vec<(&str, String)> = project
        .schema
        .labels
        .iter()
        .map(|l| (l.name.as_str(), shown(&l.name).into_owned()))
        .collect();
    writeln!(
        out,
        "project:   {}",
        workspace.path().map(shown_path).unwrap_or_default()
    )?;
    writeln!(out, "corpus:    {}", shown_path(&project.corpus_root))?;
    writeln!(out, "annotator: {}", shown(&project.annotator))?;
    writeln!(out)?;
    let names: Vec<std::borrow::Cow<'_, str>> =
        project.documents.iter().map(|d| shown(&d.path)).collect();
    let width = names
        .iter()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    write!(out, "{:<width$}  {:<11}", "document", "status")?;
    for (_, label) in &labels {
        write!(out, "  {label:>w$}", w = column(label))?;
    }
    writeln!(out)?;
    for (document, name) in project.documents.iter().zip(&names) {
        write_row(
            out,
            name,
            document.status.label(),
            &document.counts_by_label(),
            &labels,
            width,
        )?;
    }
    let total = format!("{} documents", project.documents.len());
    write_row(out, &total, "", &project.counts_by_label(), &labels, width)?;
    let relations: usize = project.documents.iter().map(|d| d.relations.len()).sum();
    writeln!(
        out,
        "{} span(s), {relations} link(s)",
        project.annotation_count()
    )?;
    writeln!(out)?;
    if workspace.problems().is_empty() {
        writeln!(out, "no problems: the project is sound")?;
    } else {
        for problem in workspace.problems() {
            let severity = match problem.severity() {
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            writeln!(out, "{severity}: {}", problem.for_terminal())?;
        }
    }
    Ok(())
}

/// The width of a label's column in the `check` table.
fn column(label: &str) -> usize {
    label.chars().count().max(5)
}

/// One row of the `check` table: a name, a status and a count a label (each label by its name
/// and as printed).
fn write_row(
    out: &mut dyn std::io::Write,
    name: &str,
    status: &str,
    counts: &std::collections::BTreeMap<&str, usize>,
    labels: &[(&str, String)],
    width: usize,
) -> std::io::Result<()> {
    write!(out, "{name:<width$}  {status:<11}")?;
    for (label, printed) in labels {
        write!(
            out,
            "  {:>w$}",
            counts.get(label).copied().unwrap_or(0),
            w = column(printed)
        )?;
    }
    writeln!(out)
}
