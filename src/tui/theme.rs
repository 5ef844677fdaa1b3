//! Colours in one place: dark and light themes readable on a projector, and none at all when
//! `NO_COLOR` is set (modifiers such as bold and reverse still mark what matters).

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub name: ThemeName,
    /// `--ascii`: nothing beyond ASCII on screen.
    pub ascii: bool,
}

impl Theme {
    /// The theme, with colour unless `NO_COLOR` is set (to anything).
    pub fn new(name: ThemeName) -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            name,
            ascii: false,
        }
    }

    fn fg(&self, dark: Color, light: Color) -> Style {
        if !self.color {
            return Style::default();
        }
        Style::default().fg(match self.name {
            ThemeName::Dark => dark,
            ThemeName::Light => light,
        })
    }

    pub fn text(&self) -> Style {
        Style::default()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            self.fg(Color::DarkGray, Color::Gray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan, Color::Blue)
            .add_modifier(Modifier::BOLD)
    }

    /// The hop's source stop.
    pub fn from(&self) -> Style {
        self.fg(Color::Yellow, Color::Rgb(150, 90, 0))
            .add_modifier(Modifier::BOLD)
    }

    /// The hop's destination stop.
    pub fn to(&self) -> Style {
        self.fg(Color::Green, Color::Rgb(0, 120, 0))
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn arrow(&self) -> Style {
        self.fg(Color::Yellow, Color::Rgb(150, 90, 0))
            .add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red, Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn focused_border(&self) -> Style {
        self.fg(Color::Cyan, Color::Blue)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green, Color::Rgb(0, 120, 0))
    }

    /// A pod by its phase: Running green, Pending yellow, Failed red, Succeeded dim,
    /// Terminating magenta.
    pub fn phase(&self, phase: &str) -> Style {
        match phase {
            "Running" => self.ok(),
            "Pending" => self.fg(Color::Yellow, Color::Rgb(150, 90, 0)),
            "Failed" => self.error(),
            "Succeeded" => self.dim(),
            _ => self.fg(Color::Magenta, Color::Magenta),
        }
    }

    pub fn mode(&self) -> Style {
        self.fg(Color::Magenta, Color::Magenta)
            .add_modifier(Modifier::BOLD)
    }
}
