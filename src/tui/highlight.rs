//! YAML highlighting for the object pane, with syntect (its bundled YAML grammar and themes: a
//! dark one and a light one, to match podflow's). Loading the grammars takes a few
//! milliseconds, so it happens the first time an object is shown, not at start. Highlighting
//! is slow next to drawing (tens of µs a line), so only the lines on screen are highlighted,
//! each on its own, and kept by their text (`Cache`): an object's revisions share most of
//! their lines, so a new revision costs only its changed lines. (A line is read without the
//! ones above it: the YAML podflow shows is key/value lines, where that is the same.)

use ratatui::style::{Color, Style};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme, ThemeSet};
use syntect::parsing::SyntaxSet;

/// One highlighted line: its pieces and their styles.
pub type Spans = Vec<(Style, String)>;

struct Grammar {
    syntaxes: SyntaxSet,
    dark: Theme,
    light: Theme,
}

fn grammar() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        let mut themes = ThemeSet::load_defaults().themes;
        Grammar {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            dark: themes.remove("base16-ocean.dark").unwrap_or_default(),
            light: themes.remove("InspiredGitHub").unwrap_or_default(),
        }
    })
}

/// `lines` of YAML, highlighted as one document (a line's colours depend on the ones above).
pub fn yaml(lines: &[String], dark: bool) -> Vec<Spans> {
    let grammar = grammar();
    let Some(syntax) = grammar.syntaxes.find_syntax_by_extension("yaml") else {
        return lines
            .iter()
            .map(|l| vec![(Style::default(), l.clone())])
            .collect();
    };
    let theme = if dark { &grammar.dark } else { &grammar.light };
    let mut highlighter = HighlightLines::new(syntax, theme);
    lines
        .iter()
        .map(|line| {
            let with_newline = format!("{line}\n");
            match highlighter.highlight_line(&with_newline, &grammar.syntaxes) {
                Ok(pieces) => pieces
                    .into_iter()
                    .map(|(style, text)| {
                        let c = style.foreground;
                        (
                            Style::default().fg(Color::Rgb(c.r, c.g, c.b)),
                            text.trim_end_matches('\n').to_string(),
                        )
                    })
                    .filter(|(_, text)| !text.is_empty())
                    .collect(),
                Err(_) => vec![(Style::default(), line.clone())],
            }
        })
        .collect()
}

/// Highlighted lines by their text (and theme), up to `CACHED` of them.
#[derive(Default)]
pub struct Cache(RefCell<HashMap<(bool, String), Arc<Spans>>>);

const CACHED: usize = 4096;

impl Cache {
    pub fn line(&self, line: &str, dark: bool) -> Arc<Spans> {
        let key = (dark, line.to_string());
        if let Some(spans) = self.0.borrow().get(&key) {
            return spans.clone();
        }
        let spans = Arc::new(
            yaml(std::slice::from_ref(&key.1), dark)
                .pop()
                .unwrap_or_default(),
        );
        let mut cache = self.0.borrow_mut();
        if cache.len() >= CACHED {
            cache.clear();
        }
        cache.insert(key, spans.clone());
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_get_different_colours() {
        let lines = vec!["metadata:".to_string(), "  name: web".to_string()];
        let spans = yaml(&lines, true);
        assert_eq!(spans.len(), 2);
        let text: String = spans[1].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(text, "  name: web");
        let key = spans[1].iter().find(|(_, t)| t.contains("name")).unwrap().0;
        let value = spans[1].iter().find(|(_, t)| t.contains("web")).unwrap().0;
        assert_ne!(key, value);
    }
}
