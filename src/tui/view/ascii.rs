//! `--ascii`: after drawing, every cell that is not ASCII becomes its nearest ASCII look-alike
//! (box drawing to `+-|`, arrows to `>`, bars to `#` and `.`), so the screen reads on any
//! terminal or font. One cell for one cell: the layout does not move.

use ratatui::buffer::Buffer;

pub fn asciify(buffer: &mut Buffer) {
    for cell in buffer.content.iter_mut() {
        let symbol = cell.symbol();
        if symbol.is_ascii() {
            continue;
        }
        let plain = symbol.chars().next().map_or(' ', to_ascii);
        cell.set_char(plain);
    }
}

fn to_ascii(c: char) -> char {
    match c {
        '─' | '━' | '═' => '-',
        '│' | '┃' | '║' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => {
            '+'
        }
        '→' | '▶' | '▸' | '›' | '⟶' => '>',
        '←' | '◀' | '◂' => '<',
        '↑' => '^',
        '↓' => 'v',
        '█' | '▇' | '▆' | '■' => '#',
        '░' | '▒' | '·' | '•' => '.',
        '●' | '◆' => '*',
        '○' => 'o',
        '×' => 'x',
        '✓' => 'v',
        '✗' => 'x',
        '…' => '~',
        _ => '?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn every_cell_becomes_ascii() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 8, 1));
        buffer.set_string(0, 0, "┌─→█░·é", ratatui::style::Style::default());
        asciify(&mut buffer);
        let text: String = buffer.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(text, "+->#..? ");
    }
}
