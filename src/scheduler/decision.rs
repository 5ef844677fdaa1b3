//! The decision record of one scheduling cycle: for every node the cycle looked at, each filter
//! plugin's verdict and, for feasible nodes, each score plugin's raw, normalised and weighted
//! score; then the winner or the FailedScheduling message. It is what the flow shows.

use serde::Serialize;

use super::framework::Code;

/// One scheduling cycle, as the screen and `--trace` show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRecord {
    /// `namespace/name`.
    pub pod: String,
    /// Nodes in the snapshot.
    pub nodes_total: usize,
    /// Nodes the filters ran on: the search stops once enough feasible nodes are found
    /// (`percentageOfNodesToScore`), and PreFilter may rule nodes out unseen.
    pub nodes_evaluated: usize,
    /// The evaluated nodes, in the order the search visited them.
    pub nodes: Vec<NodeDecision>,
    pub winner: Option<String>,
    /// The FailedScheduling message (`FitError.Error()` with the preemption part) when no node
    /// fits, or the error that aborted the cycle.
    pub message: Option<String>,
    /// True when no node was merely Unschedulable — every one failed with
    /// UnschedulableAndUnresolvable (or there are no nodes), so preemption could not help.
    pub unresolvable: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeDecision {
    pub node: std::sync::Arc<str>,
    /// In plugin order, up to and including the first one that failed (the framework stops
    /// there). Plugins switched off by their PreFilter show as `Skip`.
    pub filters: std::sync::Arc<[FilterVerdict]>,
    pub feasible: bool,
    /// In plugin order; empty when not feasible or when scoring did not run (one feasible
    /// node). Plugins switched off by their PreScore are left out, as in the real framework.
    pub scores: Vec<ScoreEntry>,
    /// The sum of the weighted scores.
    pub total: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterVerdict {
    pub plugin: &'static str,
    pub code: Code,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreEntry {
    pub plugin: &'static str,
    /// What the plugin's Score returned.
    pub raw: i64,
    /// After the plugin's NormalizeScore (0..=100).
    pub normalized: i64,
    pub weight: i64,
    pub weighted: i64,
}

impl DecisionRecord {
    pub fn feasible_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.feasible).count()
    }

    /// One line for the flow: `node-2 wins (score 287) of 3 feasible / 4 nodes`, or the
    /// failure message.
    pub fn summary(&self) -> String {
        let Some(winner) = &self.winner else {
            return self
                .message
                .clone()
                .unwrap_or_else(|| "no node chosen".to_string());
        };
        let feasible = self.feasible_count();
        if feasible == 1 {
            // The real scheduler skips scoring when only one node passes the filters.
            return format!(
                "{winner} wins (the only feasible node, not scored) of 1 feasible / {} nodes",
                self.nodes_total
            );
        }
        let score = self
            .nodes
            .iter()
            .find(|n| *n.node == **winner)
            .map_or(0, |n| n.total);
        format!(
            "{winner} wins (score {score}) of {feasible} feasible / {} nodes",
            self.nodes_total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, feasible: bool, total: i64) -> NodeDecision {
        NodeDecision {
            node: std::sync::Arc::from(name),
            filters: Vec::new().into(),
            feasible,
            scores: Vec::new(),
            total,
        }
    }

    #[test]
    fn summary_and_camel_case_json() {
        let record = DecisionRecord {
            pod: "default/web".to_string(),
            nodes_total: 4,
            nodes_evaluated: 4,
            nodes: vec![
                node("node-1", false, 0),
                node("node-2", true, 287),
                node("node-3", true, 250),
                node("node-4", true, 287),
            ],
            winner: Some("node-2".to_string()),
            message: None,
            unresolvable: false,
        };
        assert_eq!(
            record.summary(),
            "node-2 wins (score 287) of 3 feasible / 4 nodes"
        );
        let json = serde_json::to_value(&record).unwrap_or_default();
        assert_eq!(json["nodesTotal"], 4);
        assert_eq!(json["nodesEvaluated"], 4);
        assert_eq!(json["nodes"][1]["feasible"], true);
    }
}
