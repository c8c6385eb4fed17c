/// View models the Mustache templates render. Every field is already formatted text; the templates
/// escape it (`{{…}}`) except chart SVG (`{{{…}}}`), which the chart builder escapes itself.

/// A table cell: text, an optional CSS class (alignment, badges) and an optional colour swatch.
struct Cell {
    var text: String
    var cls: String = ""
    var color: String?
    /// Hover text.
    var hint: String?

    init(_ text: String, cls: String = "", color: String? = nil, hint: String? = nil) {
        self.text = text
        self.cls = cls
        self.color = color
        self.hint = hint
    }

    static func num(_ text: String) -> Cell { Cell(text, cls: "num") }
}

struct Row {
    var cells: [Cell]
    var cls: String = ""
}

/// A table with a caption line.
struct Table {
    var caption: String?
    var headers: [Cell]
    var rows: [Row]
}

/// A warning banner: `level` is `bad` (red) or `note` (amber).
struct Banner {
    var level: String
    var title: String
    var text: String
}

/// One summary card with a value per result.
struct Card {
    struct Value {
        var text: String
        var color: String?
        var label: String?
    }

    var name: String
    var values: [Value]
    var hint: String
}

/// A chart with an optional caption, in a grid cell.
struct Figure {
    var svg: String
    var caption: String?
    var wide = false
}

/// A titled section of figures and tables.
struct Section {
    var id: String
    var title: String
    var intro: String?
    var figures: [Figure] = []
    var tables: [Table] = []
    var notes: [String] = []
}

/// A whole page: header, banners, cards and sections.
struct Page {
    var title: String
    var subtitle: String?
    var generator: String
    var verdict: String?
    var verdictClass: String
    var banners: [Banner]
    var runs: Table
    var cards: [Card]
    /// `cards`, or `cards multi` for several values per card (smaller type).
    var cardsClass = "cards"
    var sections: [Section]
    var toc: [TOCEntry]

    struct TOCEntry {
        var id: String
        var title: String
    }
}
