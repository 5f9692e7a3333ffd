//! `annotation.conf` and `visual.conf`: the brat names of labels, relation types and attributes
//! (storage forms, unique), the configuration written from the schema, and the colours read back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::formats::ExportDoc;
use crate::model::Id;
use crate::schema::{Rgb, Schema};

use super::NOTE_ATTRIBUTE;

/// Turns off brat's check of overlapping spans: Marginalia allows nested and crossing spans.
const OVERLAP_ANY: &str = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>";

/// How the `annotation.conf` that [`export`](super::export()) writes begins: what marks a folder
/// as an export by Marginalia, which a later export may replace whole.
pub(super) const CONF_HEADER: &str = "# brat annotation configuration, written by Marginalia";

/// The storage form of a type name: brat allows only ASCII letters, digits, `_` and `-`, and
/// turns anything else into `_` (`normalize_to_storage_form`). A name of hyphens only would read
/// as a separator line in `annotation.conf`, so it gets a leading `_`.
fn storage_form(name: &str) -> String {
    let mut form: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if form.chars().all(|c| c == '-') {
        form.insert(0, '_');
    }
    form
}

/// A note type as brat reads one: a single word, without white space or control characters
/// (which become `_`), never empty.
fn note_type_form(kind: &str) -> String {
    let form: String = kind
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if form.is_empty() {
        "_".to_owned()
    } else {
        form
    }
}

/// An attribute value as `annotation.conf` can list it: no white space, `,` or `|`.
pub(super) fn value_form(value: &str) -> String {
    let form: String = value
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == ',' || c == '|' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if form.is_empty() {
        "_".to_owned()
    } else {
        form
    }
}

/// brat names for one kind of type (labels, relation types, attribute names), unique and in
/// storage form. Names already valid keep their name; the others get the nearest free one.
#[derive(Default)]
pub(super) struct Namespace {
    by_name: BTreeMap<String, String>,
    /// Original names, in the order they were met.
    order: Vec<String>,
}

impl Namespace {
    fn new(names: Vec<String>) -> Self {
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for name in names {
            if seen.insert(name.clone()) {
                order.push(name);
            }
        }
        let mut taken: BTreeSet<String> = order
            .iter()
            .filter(|n| storage_form(n) == **n)
            .cloned()
            .collect();
        let mut by_name = BTreeMap::new();
        for name in &order {
            let base = storage_form(name);
            let brat = if base == *name {
                base
            } else {
                let mut candidate = base.clone();
                let mut k = 2;
                while taken.contains(&candidate) {
                    candidate = format!("{base}_{k}");
                    k += 1;
                }
                taken.insert(candidate.clone());
                candidate
            };
            by_name.insert(name.clone(), brat);
        }
        Self { by_name, order }
    }

    fn get(&self, name: &str) -> String {
        self.by_name
            .get(name)
            .cloned()
            .unwrap_or_else(|| storage_form(name))
    }

    /// Like `get`, without a copy for names already known.
    fn get_ref<'a>(&'a self, name: &'a str) -> std::borrow::Cow<'a, str> {
        self.by_name.get(name).map_or_else(
            || std::borrow::Cow::Owned(storage_form(name)),
            |n| std::borrow::Cow::Borrowed(n.as_str()),
        )
    }

    fn renamed(&self) -> impl Iterator<Item = (&String, &String)> {
        self.order.iter().filter_map(|name| {
            self.by_name
                .get(name)
                .filter(|brat| *brat != name)
                .map(|brat| (name, brat))
        })
    }
}

/// How the export names labels, relation types and attributes in brat, with what
/// `annotation.conf` must declare.
pub(super) struct Names {
    labels: Namespace,
    relations: Namespace,
    attributes: Namespace,
    /// Relation type → labels allowed at each end (empty: any).
    relation_args: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    /// Attribute name → labels that carry it, and values.
    attribute_args: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Attribute values changed to fit `annotation.conf`: (attribute, value, written as).
    renamed_values: BTreeSet<(String, String, String)>,
    /// Note types (of attributes `brat:#TYPE`) that cannot be a brat note type, and how they are
    /// written.
    note_types: BTreeMap<String, String>,
}

impl Names {
    pub(super) fn new(docs: &[ExportDoc<'_>], schema: &Schema) -> Self {
        let mut labels: Vec<String> = schema.labels.iter().map(|l| l.name.clone()).collect();
        let mut relations: Vec<String> = schema.relations.iter().map(|r| r.name.clone()).collect();
        // Attributes `brat:#TYPE` are notes, not attributes, in brat.
        let is_note = |name: &str| name.starts_with(NOTE_ATTRIBUTE);
        let mut note_types = BTreeMap::new();
        let mut attributes: Vec<String> = schema
            .attributes
            .iter()
            .filter(|a| !is_note(&a.name))
            .map(|a| a.name.clone())
            .collect();
        let mut relation_args: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> =
            BTreeMap::new();
        let mut any_end: BTreeSet<(String, bool)> = BTreeSet::new();
        for def in &schema.relations {
            labels.extend(def.from.iter().chain(&def.to).cloned());
            let entry = relation_args.entry(def.name.clone()).or_default();
            entry.0.extend(def.from.iter().cloned());
            entry.1.extend(def.to.iter().cloned());
            if def.from.is_empty() {
                any_end.insert((def.name.clone(), false));
            }
            if def.to.is_empty() {
                any_end.insert((def.name.clone(), true));
            }
        }
        let mut attribute_args: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        let push_unique = |list: &mut Vec<String>, item: &str| {
            if !list.iter().any(|i| i == item) {
                list.push(item.to_owned());
            }
        };
        for def in schema.attributes.iter().filter(|a| !is_note(&a.name)) {
            labels.push(def.label.clone());
            let entry = attribute_args.entry(def.name.clone()).or_default();
            push_unique(&mut entry.0, &def.label);
            for value in &def.values {
                push_unique(&mut entry.1, value);
            }
        }
        let mut used_labels = BTreeSet::new();
        let mut used_relations = BTreeSet::new();
        let mut used_attributes = BTreeSet::new();
        for doc in docs {
            let label_of = |id: Id| {
                doc.annotations
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.label.clone())
            };
            for annotation in &doc.annotations {
                // Check before cloning: exports are large, labels few.
                if !used_labels.contains(&annotation.label) {
                    used_labels.insert(annotation.label.clone());
                }
                for (name, value) in &annotation.attributes {
                    if let Some(kind) = name.strip_prefix(NOTE_ATTRIBUTE) {
                        let form = note_type_form(kind);
                        if form != kind && !note_types.contains_key(kind) {
                            note_types.insert(kind.to_owned(), form);
                        }
                        continue;
                    }
                    used_attributes.insert(name.clone());
                    let entry = attribute_args.entry(name.clone()).or_default();
                    push_unique(&mut entry.0, &annotation.label);
                    push_unique(&mut entry.1, value);
                }
            }
            for relation in &doc.relations {
                if !used_relations.contains(&relation.kind) {
                    used_relations.insert(relation.kind.clone());
                }
                let entry = relation_args.entry(relation.kind.clone()).or_default();
                if let (Some(from), Some(to)) = (label_of(relation.from), label_of(relation.to)) {
                    entry.0.insert(from);
                    entry.1.insert(to);
                }
            }
        }
        labels.extend(used_labels);
        relations.extend(used_relations);
        attributes.extend(used_attributes);
        // An end declared as "any label" stays so, whatever labels were met there.
        for (name, to) in any_end {
            if let Some(entry) = relation_args.get_mut(&name) {
                if to { entry.1.clear() } else { entry.0.clear() }
            }
        }
        let mut renamed_values = BTreeSet::new();
        for (name, (_, values)) in &attribute_args {
            for value in values {
                let form = value_form(value);
                if form != *value {
                    renamed_values.insert((name.clone(), value.clone(), form));
                }
            }
        }
        Self {
            labels: Namespace::new(labels),
            relations: Namespace::new(relations),
            attributes: Namespace::new(attributes),
            relation_args,
            attribute_args,
            renamed_values,
            note_types,
        }
    }

    /// How the note type `kind` is written: as it is, unless it cannot be one brat word.
    pub(super) fn note_type<'a>(&'a self, kind: &'a str) -> &'a str {
        self.note_types.get(kind).map_or(kind, String::as_str)
    }

    pub(super) fn label<'a>(&'a self, name: &'a str) -> std::borrow::Cow<'a, str> {
        self.labels.get_ref(name)
    }

    pub(super) fn relation(&self, name: &str) -> String {
        self.relations.get(name)
    }

    pub(super) fn attribute(&self, name: &str) -> String {
        self.attributes.get(name)
    }

    /// True when the attribute's only value is `true`: written as a brat binary attribute
    /// (`A1<TAB>Name T1`), which is how the import reads one.
    pub(super) fn is_binary(&self, name: &str) -> bool {
        self.attribute_args
            .get(name)
            .is_some_and(|(_, values)| values.len() == 1 && values.iter().all(|v| v == "true"))
    }

    /// Labels joined by `|` in brat names, or `<ENTITY>` (any) when there are none.
    fn label_list<'a>(&self, labels: impl IntoIterator<Item = &'a String>) -> String {
        let list: Vec<String> = labels
            .into_iter()
            .map(|l| self.label(l).into_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if list.is_empty() {
            "<ENTITY>".to_owned()
        } else {
            list.join("|")
        }
    }

    pub(super) fn annotation_conf(&self) -> String {
        let mut conf = format!("{CONF_HEADER} from its project's schema.\n\n[entities]\n\n");
        for name in &self.labels.order {
            let _ = writeln!(conf, "{}", self.label(name));
        }
        conf.push_str("\n[relations]\n\n# Marginalia allows nested and overlapping spans.\n");
        let _ = writeln!(conf, "{OVERLAP_ANY}");
        for name in &self.relations.order {
            let (from, to) = self.relation_args.get(name).cloned().unwrap_or_default();
            let _ = writeln!(
                conf,
                "{}\tArg1:{}, Arg2:{}",
                self.relation(name),
                self.label_list(&from),
                self.label_list(&to)
            );
        }
        conf.push_str("\n[events]\n\n[attributes]\n\n");
        for name in &self.attributes.order {
            let (labels, values) = self.attribute_args.get(name).cloned().unwrap_or_default();
            let _ = write!(
                conf,
                "{}\tArg:{}",
                self.attribute(name),
                self.label_list(&labels)
            );
            if !self.is_binary(name) && !values.is_empty() {
                let values: Vec<String> = values.iter().map(|v| value_form(v)).collect();
                let _ = write!(conf, ", Value:{}", values.join("|"));
            }
            conf.push('\n');
        }
        conf
    }

    pub(super) fn visual_conf(&self, schema: &Schema) -> String {
        let mut conf =
            String::from("# brat visual configuration, written by Marginalia.\n\n[labels]\n\n");
        for (name, brat) in self
            .labels
            .renamed()
            .chain(self.relations.renamed())
            .chain(self.attributes.renamed())
        {
            let shown: String = name
                .chars()
                .map(|c| if c == '|' || c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(conf, "{brat} | {}", shown.trim());
        }
        conf.push_str(
            "\n[drawing]\n\nSPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n\
             ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n",
        );
        for label in &schema.labels {
            let _ = writeln!(conf, "{}\tbgColor:{}", self.label(&label.name), label.color);
        }
        conf
    }

    pub(super) fn renamed_notes(&self) -> Vec<String> {
        let why = "brat type names allow only ASCII letters, digits, _ and -";
        let mut notes = Vec::new();
        for (kind, namespace) in [
            ("label", &self.labels),
            ("relation type", &self.relations),
            ("attribute", &self.attributes),
        ] {
            for (name, brat) in namespace.renamed() {
                notes.push(format!("{kind} {name:?} written as {brat:?}: {why}"));
            }
        }
        for (kind, form) in &self.note_types {
            notes.push(format!(
                "notes of type {kind:?} (attribute \"{NOTE_ATTRIBUTE}{kind}\") written as type \
                 {form:?}: a brat note type is one word"
            ));
        }
        for (attribute, value, form) in &self.renamed_values {
            notes.push(format!(
                "value {value:?} of attribute {attribute:?} written as {form:?}: brat attribute values cannot hold spaces, commas or |"
            ));
        }
        notes
    }
}

/// The `bgColor:#rrggbb` (or `#rgb`) of each type in the `[drawing]` section of a `visual.conf`.
pub(super) fn visual_colors(conf: &str) -> BTreeMap<String, Rgb> {
    let mut colors = BTreeMap::new();
    let mut section = String::new();
    for line in conf.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            name.trim().clone_into(&mut section);
            continue;
        }
        if section != "drawing" {
            continue;
        }
        let Some((label, settings)) = trimmed.split_once(char::is_whitespace) else {
            continue;
        };
        for setting in settings.split(',') {
            let Some(("bgColor", value)) = setting.trim().split_once(':') else {
                continue;
            };
            let value = value.trim();
            let long = match value.strip_prefix('#') {
                Some(hex) if hex.len() == 3 && hex.is_ascii() => {
                    format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>())
                }
                _ => value.to_owned(),
            };
            if let Ok(color) = long.parse::<Rgb>() {
                colors.insert(label.to_owned(), color);
            }
        }
    }
    colors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_forms_stay_distinct() {
        let names = Namespace::new(vec!["a b".into(), "a_b".into(), "a/b".into(), "---".into()]);
        assert_eq!(names.get("a_b"), "a_b", "a valid name keeps its name");
        assert_eq!(names.get("a b"), "a_b_2");
        assert_eq!(names.get("a/b"), "a_b_3");
        assert_eq!(names.get("---"), "_---");
    }

    #[test]
    fn visual_conf_colours_are_read_best_effort() {
        let colors = visual_colors(
            "[labels]\nA | a\n[drawing]\nA\tbgColor:#102030, fgColor:white\nB bgColor:#abc\nC\tbgColor:red\n",
        );
        assert_eq!(colors.get("A"), Some(&Rgb([0x10, 0x20, 0x30])));
        assert_eq!(colors.get("B"), Some(&Rgb([0xaa, 0xbb, 0xcc])));
        assert_eq!(colors.len(), 2);
    }
}
