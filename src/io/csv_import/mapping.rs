//! The reusable mapping file: what a practice's export columns and slot-type
//! names mean, saved after one import and given to the next (`--mapping`),
//! so the next export of the same clinical system imports with no questions.
//!
//! It is a small RON file, readable and editable by hand:
//!
//! ```ron
//! (
//!     backlog: { "Session Holder": "original_clinician", "Text OK": "sms_consent" },
//!     rota: { "Session Holder": "clinician" },
//!     types: { "Smear": "Cervical screening", "On the Day": "GP urgent" },
//!     new_types: { "Travel clinic": "Vaccination" },
//! )
//! ```
//!
//! A column mapped to "" is ignored. A new type is added to the plan's
//! catalogue, seen and booked like the type named. Every part may be left out.

use super::{BACKLOG_COLUMNS, ROTA_COLUMNS};
use crate::model::{Plan, name_key, type_like};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Source header -> canonical column ("" to ignore the column).
pub type ColumnMap = BTreeMap<String, String>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportMapping {
    /// Backlog file: source header -> canonical backlog column ("" to ignore it).
    pub backlog: BTreeMap<String, String>,
    /// Rota file: source header -> canonical rota column ("" to ignore it).
    pub rota: BTreeMap<String, String>,
    /// The practice's own appointment or slot type -> catalogue type.
    pub types: BTreeMap<String, String>,
    /// The practice's own types added to the catalogue as new types, each
    /// -> the catalogue type it is seen and booked like.
    pub new_types: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("could not read the mapping file {path}: {message}")]
    Read { path: String, message: String },
    #[error("the mapping file {path} is not a valid mapping: {message}")]
    Invalid { path: String, message: String },
    #[error("could not write the mapping file {path}: {message}")]
    Write { path: String, message: String },
    #[error(transparent)]
    NewType(#[from] crate::model::TypeLikeError),
    #[error("\"{0}\" is not NAME=VALUE (e.g. \"Session Holder=original_clinician\")")]
    NotAPair(String),
    #[error(
        "--map \"{source_column}={field}\": \"{field}\" is not a field; backlog fields: {backlog}; rota fields: {rota}"
    )]
    UnknownField { source_column: String, field: String, backlog: String, rota: String },
}

/// A mapping file is a few lines; anything larger is not one.
const MAX_MAPPING_BYTES: u64 = 1024 * 1024;

impl ImportMapping {
    /// Reads a mapping file; a syntax error names its line and column.
    pub fn load(path: &Path) -> Result<ImportMapping, MappingError> {
        let shown = path.display().to_string();
        let read = |message: String| MappingError::Read { path: shown.clone(), message };
        let size = std::fs::metadata(path).map_err(|e| read(e.to_string()))?.len();
        if size > MAX_MAPPING_BYTES {
            return Err(read(format!("it is {size} bytes; a mapping file is a few lines")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
        ron::from_str(&text).map_err(|e| MappingError::Invalid { path: shown.clone(), message: e.to_string() })
    }

    /// The file's text, one entry a line.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().indentor("    ".to_string());
        ron::ser::to_string_pretty(self, config).unwrap_or_default() + "\n"
    }

    /// Writes the mapping (atomically, like a plan).
    pub fn save(&self, path: &Path) -> Result<(), MappingError> {
        crate::io::plan_file::write_atomically(path, self.to_ron().as_bytes())
            .map_err(|e| MappingError::Write { path: path.display().to_string(), message: e.to_string() })
    }

    /// Adds `other` over this mapping: its entries win.
    pub fn extend(&mut self, other: ImportMapping) {
        self.backlog.extend(other.backlog);
        self.rota.extend(other.rota);
        self.types.extend(other.types);
        self.new_types.extend(other.new_types);
    }
}

/// Adds the mapping's new types the plan does not have yet (see
/// [`crate::model::type_like`]); returns each added with the type it is like.
pub fn add_new_types(plan: &mut Plan, new_types: &ColumnMap) -> Result<Vec<(String, String)>, MappingError> {
    let mut added = Vec::new();
    for (name, like) in new_types {
        if plan.appointment_type(name).is_none() {
            let kind = type_like(&plan.appointment_types, name, like)?;
            added.push((kind.name.clone(), like.clone()));
            plan.appointment_types.push(kind);
        }
    }
    Ok(added)
}

/// "LOCAL NAME=Catalogue type" or "SOURCE COLUMN=field" as given on the
/// command line; both sides trimmed, the right side may be empty (ignore).
pub fn parse_pair(text: &str) -> Result<(String, String), MappingError> {
    match text.rsplit_once('=') {
        Some((left, right)) if !left.trim().is_empty() => Ok((left.trim().to_string(), right.trim().to_string())),
        _ => Err(MappingError::NotAPair(text.to_string())),
    }
}

/// Sorts `--map` entries by the file kind whose field they name: an entry
/// naming a backlog field applies to the backlog file only, a rota field to
/// the rota only, so "Session Holder=original_clinician" and "Session
/// Holder=clinician" can both be given. An empty field (ignore) applies to
/// both. A field of neither kind is an error listing both kinds' fields.
pub fn split_column_pairs(pairs: &[(String, String)]) -> Result<(ColumnMap, ColumnMap), MappingError> {
    let names = |columns: &[&str], field: &str| columns.iter().any(|c| name_key(c) == name_key(field));
    let (mut backlog, mut rota) = (BTreeMap::new(), BTreeMap::new());
    for (source, field) in pairs {
        let ignore = field.is_empty() || name_key(field) == "ignore";
        let in_backlog = ignore || names(BACKLOG_COLUMNS, field);
        let in_rota = ignore || names(ROTA_COLUMNS, field);
        if !in_backlog && !in_rota {
            return Err(MappingError::UnknownField {
                source_column: source.clone(),
                field: field.clone(),
                backlog: BACKLOG_COLUMNS.join(", "),
                rota: ROTA_COLUMNS.join(", "),
            });
        }
        if in_backlog {
            backlog.insert(source.clone(), field.clone());
        }
        if in_rota {
            rota.insert(source.clone(), field.clone());
        }
    }
    Ok((backlog, rota))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_kinds() {
        assert_eq!(parse_pair(" Smear = Cervical screening ").unwrap(), ("Smear".into(), "Cervical screening".into()));
        assert_eq!(parse_pair("Rota=").unwrap(), ("Rota".into(), String::new()));
        assert!(parse_pair("no equals").is_err());
        assert!(parse_pair("=x").is_err());
        let pairs = [
            ("Session Holder".to_string(), "original_clinician".to_string()),
            ("Session Holder".to_string(), "clinician".to_string()),
            ("Rota".to_string(), String::new()),
        ];
        let (backlog, rota) = split_column_pairs(&pairs).unwrap();
        assert_eq!(backlog.get("Session Holder").map(String::as_str), Some("original_clinician"));
        assert_eq!(rota.get("Session Holder").map(String::as_str), Some("clinician"));
        assert!(backlog.contains_key("Rota") && rota.contains_key("Rota"));
        let err = split_column_pairs(&[("X".to_string(), "shoe_size".to_string())]).unwrap_err().to_string();
        assert!(err.contains("shoe_size") && err.contains("original_clinician"), "{err}");
    }

    #[test]
    fn new_types_are_added_once_like_their_model() {
        let mut plan = Plan::new("x");
        let new_types: BTreeMap<String, String> = [("Travel clinic".to_string(), "Vaccination".to_string())].into();
        let added = add_new_types(&mut plan, &new_types).unwrap();
        assert_eq!(added, [("Travel clinic".to_string(), "Vaccination".to_string())]);
        assert!(add_new_types(&mut plan, &new_types).unwrap().is_empty(), "added once");
        assert_eq!(
            plan.appointment_type("travel clinic").unwrap().roles,
            plan.appointment_type("Vaccination").unwrap().roles
        );
        let bad: BTreeMap<String, String> = [("Yoga".to_string(), "Stretching".to_string())].into();
        assert!(add_new_types(&mut plan, &bad).unwrap_err().to_string().contains("Stretching"));
    }

    #[test]
    fn the_file_round_trips_and_parts_may_be_left_out() {
        let mut mapping = ImportMapping::default();
        mapping.types.insert("Smear".into(), "Cervical screening".into());
        mapping.backlog.insert("Text OK".into(), "sms_consent".into());
        let text = mapping.to_ron();
        assert_eq!(ron::from_str::<ImportMapping>(&text).unwrap(), mapping);
        let partial: ImportMapping = ron::from_str("(types: {\"Bloods\": \"Nurse bloods\"})").unwrap();
        assert_eq!(partial.types.len(), 1);
        assert!(partial.backlog.is_empty());
    }
}
