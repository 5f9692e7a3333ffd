//! CPU time of the app's frames, headless: `Context::run_ui` with the real app plus
//! `Context::tessellate`, as on screen but without painting.
//!
//! - the 3.4 MB novel of `../shared/perf-corpus/` with 20,000 generated spans: first display,
//!   a jump to its middle, and frames while scrolling with the mouse wheel (targets: ≤ 30 ms for
//!   the first display and the jump, ≤ 1 ms a frame while scrolling);
//! - the bundled sample project (target: ≤ 0.5 ms a frame);
//! - a keyboard session on a sample article (issue J 2): 200 spans and 50 links made by keys
//!   alone, every frame timed (target: no frame over 16 ms).
//!
//! Run: `cargo bench --bench frame` (release build with the `gui` feature); with
//! `MARGINALIA_FRAME_ONLY=rtl`, the right-to-left document alone. No timing is asserted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{
    Event, Modifiers, MouseWheelSource, MouseWheelUnit, Pos2, RawInput, Rect, TouchPhase, Vec2,
};
use marginalia::generate;
use marginalia::ui::{Action, MarginaliaApp, NoDialogs, Prefs};

const NOVEL: &str = "FRA04202_Rolland.txt";
const SPANS: usize = 20_000;

struct Headless {
    ctx: egui::Context,
    app: MarginaliaApp,
    time: f64,
}

impl Headless {
    fn open(project: &Path) -> Self {
        let app =
            MarginaliaApp::starting(Prefs::default(), Box::new(NoDialogs), Some(project), None);
        Self {
            ctx: egui::Context::default(),
            app,
            time: 0.0,
        }
    }

    /// One frame with `events`: its CPU time (run + tessellate), and whether egui asked for
    /// another frame at once.
    fn frame(&mut self, events: Vec<Event>) -> (Duration, bool) {
        self.time += 1.0 / 60.0;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1400.0, 900.0))),
            time: Some(self.time),
            predicted_dt: 1.0 / 60.0,
            events,
            ..RawInput::default()
        };
        let start = Instant::now();
        let app = &mut self.app;
        let output = self.ctx.run_ui(input, |ui| app.ui(ui));
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let elapsed = start.elapsed();
        std::hint::black_box(primitives);
        let again = output
            .viewport_output
            .values()
            .any(|v| v.repaint_delay.is_zero());
        (elapsed, again)
    }

    /// Frames until egui stops asking for more (at most 20): their total CPU time.
    fn settle(&mut self, events: Vec<Event>) -> (Duration, usize) {
        let (mut total, mut again) = self.frame(events);
        let mut frames = 1;
        while again && frames < 20 {
            let (t, a) = self.frame(Vec::new());
            total += t;
            again = a;
            frames += 1;
        }
        (total, frames)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn wheel(dy: f32) -> Event {
    Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: Vec2::new(0.0, dy),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    }
}

/// Median, 95th percentile and maximum of `times`, in milliseconds.
fn stats(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.95), at(1.0))
}

/// Scrolls `frames` frames with the wheel over the text and returns each frame's time.
fn scroll(headless: &mut Headless, frames: usize, dy: f32) -> Vec<Duration> {
    let over_text = Pos2::new(900.0, 450.0);
    headless.frame(vec![Event::PointerMoved(over_text)]);
    (0..frames)
        .map(|_| headless.frame(vec![wheel(dy)]).0)
        .collect()
}

fn main() {
    let novel_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/perf-corpus")
        .join(NOVEL);
    let Ok(novel) = std::fs::read_to_string(&novel_path) else {
        eprintln!("{} is missing: nothing to measure", novel_path.display());
        return;
    };
    // `MARGINALIA_FRAME_ONLY=rtl`: the right-to-left figures alone (to profile them).
    if std::env::var("MARGINALIA_FRAME_ONLY").is_ok_and(|v| v == "rtl") {
        right_to_left(&novel);
        return;
    }
    document_frames(
        &novel,
        NOVEL,
        &format!(
            "## Frames, headless (`Context::run_ui` + `tessellate`), {:.1} MB novel with {SPANS} spans",
            novel.len() as f64 / 1e6
        ),
    );

    // The bundled sample project.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let mut headless = Headless::open(&sample);
    headless.settle(Vec::new());
    let idle: Vec<Duration> = (0..300).map(|_| headless.frame(Vec::new()).0).collect();
    let (median, p95, max) = stats(idle);
    println!(
        "| frame on the sample project (300 frames) median / p95 / max | {median:.2} / {p95:.2} / {max:.2} ms | ≤ 0.5 ms |"
    );
    let times = scroll(&mut headless, 300, -30.0);
    let (median, p95, max) = stats(times);
    println!(
        "| frame scrolling the sample project, median / p95 / max | {median:.2} / {p95:.2} / {max:.2} ms | ≤ 0.5 ms |"
    );
    right_to_left(&novel);
    keyboard_session();
}

/// A key pressed and released with `modifiers`, in one frame's events.
fn key(key: egui::Key, modifiers: Modifiers) -> Vec<Event> {
    [true, false]
        .into_iter()
        .map(|pressed| Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers,
        })
        .collect()
}

/// Presses `key`, then runs frames until the app settles: each frame's time.
fn press(
    headless: &mut Headless,
    key_: egui::Key,
    modifiers: Modifiers,
    times: &mut Vec<Duration>,
) {
    let (t, mut again) = headless.frame(key(key_, modifiers));
    times.push(t);
    let mut frames = 1;
    while again && frames < 20 {
        let (t, a) = headless.frame(Vec::new());
        times.push(t);
        again = a;
        frames += 1;
    }
}

/// Issue J 2: on the sample's first article, without its spans, 200 spans (a word each, claim
/// and source in turn: Ctrl+→ then Ctrl+Shift+← and the label's key) and 50 links (Tab to a
/// claim, `L`, Tab to the source after it, Enter), keys only; every frame timed.
fn keyboard_session() {
    use egui::Key;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let (mut project, _) = marginalia::file::load(&sample).unwrap();
    for document in &mut project.documents {
        document.annotations.clear();
        document.relations.clear();
        document.annotations_changed();
    }
    // The texts beside the project (a corpus elsewhere would be asked about first).
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for document in &project.documents {
        std::fs::copy(
            project.corpus_root.join(&document.path),
            corpus.join(&document.path),
        )
        .unwrap();
    }
    project.corpus_root = corpus;
    let path = dir.path().join("keyboard.ron");
    marginalia::file::save(&project, &path).unwrap();
    let mut headless = Headless::open(&path);
    headless.settle(Vec::new());
    let mut times = Vec::new();
    press(&mut headless, Key::Home, Modifiers::COMMAND, &mut times);
    for i in 0..200 {
        press(
            &mut headless,
            Key::ArrowRight,
            Modifiers::COMMAND,
            &mut times,
        );
        press(
            &mut headless,
            Key::ArrowLeft,
            Modifiers::COMMAND | Modifiers::SHIFT,
            &mut times,
        );
        let label = if i % 2 == 0 { Key::Num1 } else { Key::Num2 };
        press(&mut headless, label, Modifiers::NONE, &mut times);
        // On past the word just labelled.
        press(
            &mut headless,
            Key::ArrowRight,
            Modifiers::COMMAND,
            &mut times,
        );
    }
    press(&mut headless, Key::Escape, Modifiers::NONE, &mut times);
    for i in 0..50 {
        // From the claim just linked: past its source to the next claim.
        let tabs = if i == 0 { 1 } else { 2 };
        for _ in 0..tabs {
            press(&mut headless, Key::Tab, Modifiers::NONE, &mut times);
        }
        press(&mut headless, Key::L, Modifiers::NONE, &mut times);
        press(&mut headless, Key::Tab, Modifiers::NONE, &mut times);
        press(&mut headless, Key::Enter, Modifiers::NONE, &mut times);
    }
    let document = &headless.app.workspace().unwrap().project().documents[0];
    let (spans, links) = (document.annotations.len(), document.relations.len());
    let frames = times.len();
    let over = times.iter().filter(|t| ms(**t) > 16.0).count();
    let (median, p95, max) = stats(times);
    println!(
        "\n## Keyboard session (issue J 2): {spans} spans and {links} links made by keys alone on {}\n",
        document.path
    );
    println!("| figure | measured | target |");
    println!("|---|---|---|");
    println!(
        "| {frames} frames, median / p95 / max | {median:.2} / {p95:.2} / {max:.2} ms | no frame over 16 ms ({over} over) |"
    );
    assert_eq!(
        (spans, links),
        (200, 50),
        "the session made what it meant to"
    );
}

/// Arabic news sentences (and one in Hebrew), with a Latin name, digits and brackets in them.
const ARABIC: [&str; 6] = [
    "قال المتحدث باسم الكرملين إن الجنود الكوريين الشماليين قاتلوا بشجاعة، بحسب وكالة تاس (TASS).",
    "وأضاف أن المحادثات ستستأنف في 12 مارس 2025 في جنيف، دون أن يحدد جدول الأعمال.",
    "ونفت وزارة الخارجية هذه التصريحات، ووصفتها بأنها «دعاية لا أساس لها من الصحة».",
    "ذكرت وكالة رويترز أن الاجتماع استمر ثلاث ساعات، وأن الطرفين اتفقا على مواصلة الحوار.",
    "הדובר אמר כי השיחות יימשכו בשבוע הבא, על פי סוכנות הידיעות.",
    "وقال محلل في معهد الدراسات الاستراتيجية إن هذه الخطوة تهدف إلى طمأنة الحلفاء.",
];

/// A right-to-left document as long as the novel (issue M 2): paragraphs of Arabic news
/// sentences, every row of which is put in visual order by the text view. The same figures as
/// the novel's, side by side.
fn right_to_left(novel: &str) {
    let mut text = String::with_capacity(novel.len() + 1_000);
    let mut i = 0_usize;
    while text.len() < novel.len() {
        for _ in 0..(3 + i % 5) {
            text.push_str(ARABIC[i % ARABIC.len()]);
            text.push(' ');
            i += 1;
        }
        text.pop();
        text.push('\n');
    }
    println!();
    document_frames(
        &text,
        "arabe.txt",
        &format!(
            "## The same, right to left: {:.1} MB of Arabic news paragraphs with {SPANS} spans",
            text.len() as f64 / 1e6
        ),
    );
}

/// A project of one document with `text` (saved as `name`) and `SPANS` generated spans: the
/// first display, a jump to its middle, frames while scrolling and idle, under `title`.
fn document_frames(text: &str, name: &str, title: &str) {
    let dir = tempfile::tempdir().unwrap();
    let corpus: PathBuf = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join(name), text).unwrap();
    let project = generate::long_document_project(text, name, SPANS, corpus.clone(), 42);
    let project_path = dir.path().join("project.ron");
    marginalia::file::save(&project, &project_path).unwrap();
    let middle_span = project.documents[0].annotations[SPANS / 2].id;

    println!("{title}\n");
    println!("| figure | measured | target |");
    println!("|---|---|---|");
    // Opening itself (reading and checking the project) is not a frame: timed apart.
    let started = Instant::now();
    let mut headless = Headless::open(&project_path);
    let open = started.elapsed();
    assert!(headless.app.workspace().is_some(), "the project opened");
    let (first, frames) = headless.settle(Vec::new());
    let (first_frame, _) = {
        // The first frame alone, in a fresh app and context (fonts included).
        let mut fresh = Headless::open(&project_path);
        fresh.frame(Vec::new())
    };
    println!(
        "| first display: first frame / all {frames} frames until settled | {:.1} ms / {:.1} ms | ≤ 30 ms |",
        ms(first_frame),
        ms(first)
    );
    println!(
        "| (opening the project: reading the text and {SPANS} spans, before any frame) | {:.0} ms | – |",
        ms(open)
    );

    // Jump to the middle: select a span there, as the span list does.
    let ctx = headless.ctx.clone();
    headless.app.apply(
        &ctx,
        Action::SelectSpan {
            id: middle_span,
            scroll: true,
        },
    );
    let (jump, frames) = headless.settle(Vec::new());
    println!(
        "| jump to the middle (select a span there), {frames} frames until settled | {:.1} ms | ≤ 30 ms |",
        ms(jump)
    );

    let times = scroll(&mut headless, 600, -60.0);
    let (median, p95, max) = stats(times);
    println!(
        "| frame while scrolling (600 frames of 60 points) median / p95 / max | {median:.2} / {p95:.2} / {max:.2} ms | ≤ 1 ms |"
    );
    let idle: Vec<Duration> = (0..200).map(|_| headless.frame(Vec::new()).0).collect();
    let (median, p95, _) = stats(idle);
    println!("| idle frame, median / p95 | {median:.2} / {p95:.2} ms | – |");
}
