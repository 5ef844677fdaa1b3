//! The words beside the flow: for each hop kind, *What happens*, *Why it matters* and *Under
//! the hood*, from `assets/narration.yaml` (built into the binary, so a copied binary still
//! explains itself), plus the glossary.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entry {
    pub what: String,
    pub why: String,
    pub under: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Term {
    pub term: String,
    pub meaning: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Narration {
    #[serde(default)]
    pub hops: BTreeMap<String, Entry>,
    #[serde(default)]
    pub faults: BTreeMap<String, Entry>,
    #[serde(default)]
    pub glossary: Vec<Term>,
}

const TEXT: &str = include_str!("../../assets/narration.yaml");

impl Narration {
    /// The narration shipped with podflow.
    pub fn shipped() -> Narration {
        serde_yaml::from_str(TEXT).unwrap_or_default()
    }

    pub fn hop(&self, kind: &str) -> Option<&Entry> {
        self.hops.get(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::HopKind;

    #[test]
    fn every_hop_kind_is_narrated() {
        let narration: Narration = serde_yaml::from_str(TEXT).expect("narration.yaml parses");
        for kind in HopKind::ALL {
            let entry = narration
                .hop(kind.as_str())
                .unwrap_or_else(|| panic!("{} has no narration", kind.as_str()));
            for text in [&entry.what, &entry.why, &entry.under] {
                assert!(!text.trim().is_empty(), "{}", kind.as_str());
            }
        }
        assert!(narration.glossary.len() >= 20);
    }
}
