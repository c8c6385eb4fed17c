import Mustache

/// The page templates, as string literals so the module needs no resource bundle. Mustache escapes
/// `{{…}}` for HTML; only chart SVG is inserted raw with `{{{…}}}`.
enum Templates {
    /// The templates, parsed once. The literals are part of this file, so a parse error is a
    /// programmer error that the tests catch, never something input can cause.
    static let library: MustacheLibrary = {
        var lib = MustacheLibrary()
        do {
            try lib.register(page, named: "page")
            try lib.register(table, named: "table")
        } catch {
            fatalError("phibench report templates do not parse: \(error)")
        }
        return lib
    }()

    static func render(_ page: Page) -> String {
        library.render(page, withTemplate: "page") ?? ""
    }

    static let table = """
        <div class="tablewrap">{{#caption}}<div class="caption">{{.}}</div>{{/caption}}<table>
        <thead><tr>{{#headers}}<th class="{{cls}}"{{#hint}} title="{{.}}"{{/hint}}>{{text}}</th>{{/headers}}</tr></thead>
        <tbody>{{#rows}}<tr class="{{cls}}">{{#cells}}<td class="{{cls}}"{{#hint}} title="{{.}}"{{/hint}}>{{#color}}<span class="sw" style="background:{{.}}"></span>{{/color}}{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div>
        """

    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="{{generator}}">
        <title>{{title}}</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        <header class="top">
        <div><h1>{{title}}</h1>{{#subtitle}}<p class="sub">{{.}}</p>{{/subtitle}}</div>
        {{#verdict}}<div class="verdict {{verdictClass}}">{{.}}</div>{{/verdict}}
        </header>
        <nav>{{#toc}}<a href="#{{id}}">{{title}}</a>{{/toc}}</nav>
        {{#banners}}<div class="banner {{level}}"><strong>{{title}}</strong> {{text}}</div>
        {{/banners}}
        {{#runs}}{{> table}}{{/runs}}
        <div class="{{cardsClass}}">{{#cards}}<div class="card"><div class="k">{{name}}</div>{{#values}}<div class="v">{{#color}}<span class="sw" style="background:{{.}}"></span>{{/color}}{{text}}{{#label}}<span class="lbl">{{.}}</span>{{/label}}</div>{{/values}}<div class="hint">{{hint}}</div></div>
        {{/cards}}</div>
        {{#sections}}<section id="{{id}}">
        <h2>{{title}}</h2>
        {{#intro}}<p class="intro">{{.}}</p>{{/intro}}
        <div class="figs">{{#figures}}<figure class="{{#wide}}wide{{/wide}}">{{{svg}}}{{#caption}}<figcaption>{{.}}</figcaption>{{/caption}}</figure>
        {{/figures}}</div>
        {{#tables}}{{> table}}{{/tables}}
        {{#notes}}<p class="note">{{.}}</p>{{/notes}}
        </section>
        {{/sections}}
        <footer>{{generator}}</footer>
        </main>
        </body>
        </html>

        """

    static let css = """
        :root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --card:#fff; --bad:#cf222e; --good:#1a7f37; --warn:#9a6700; }
        * { box-sizing: border-box; }
        body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
        main { max-width:1240px; margin:0 auto; padding:20px 24px 40px; }
        header.top { display:flex; justify-content:space-between; align-items:flex-start; gap:16px; }
        h1 { font-size:24px; margin:0 0 2px; }
        h2 { font-size:18px; margin:0 0 10px; padding-bottom:6px; border-bottom:1px solid var(--line); }
        .sub { margin:0; color:var(--muted); }
        nav { margin:10px 0 14px; display:flex; flex-wrap:wrap; gap:4px 14px; font-size:13px; }
        nav a { color:#0969da; text-decoration:none; } nav a:hover { text-decoration:underline; }
        .verdict { font-weight:600; padding:8px 14px; border-radius:8px; white-space:nowrap; border:1px solid; }
        .verdict.good { color:var(--good); background:#dafbe1; border-color:#aceebb; }
        .verdict.bad { color:var(--bad); background:#ffebe9; border-color:#ffcecb; }
        .verdict.neutral { color:var(--muted); background:#eef1f4; border-color:var(--line); }
        .verdict.warn { color:var(--warn); background:#fff8c5; border-color:#f5e0a0; }
        .banner { padding:9px 14px; border-radius:8px; margin:0 0 8px; border:1px solid; }
        .banner.bad { background:#ffebe9; border-color:#ffcecb; color:#82071e; }
        .banner.note { background:#fff8c5; border-color:#f5e0a0; color:#4d2d00; }
        .banner.info { background:#ddf4ff; border-color:#b6e3ff; color:#0a3069; }
        .cards:empty, .figs:empty { display:none; }
        .cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(128px,1fr)); gap:10px; margin:14px 0 18px; }
        .card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 12px; }
        .card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
        .card .v { font-size:22px; font-weight:600; font-variant-numeric:tabular-nums; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
        .card .v + .v { font-size:17px; }
        .cards.multi .card .v { font-size:16px; }
        .card .lbl { font-size:11px; font-weight:400; color:var(--muted); margin-left:6px; }
        .card .hint { color:var(--muted); font-size:12px; }
        section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px 10px; margin:0 0 16px; }
        .intro, .note { color:var(--muted); margin:4px 0 10px; }
        .figs { display:grid; grid-template-columns:1fr 1fr; gap:12px 18px; }
        figure { margin:0; min-width:0; } figure.wide { grid-column:1 / -1; }
        figcaption { color:var(--muted); font-size:12px; margin-top:2px; }
        svg.chart { width:100%; height:auto; display:block; }
        .tablewrap { overflow-x:auto; margin:10px 0; }
        .caption { font-weight:600; margin:4px 0; }
        table { border-collapse:collapse; width:100%; font-size:13px; font-variant-numeric:tabular-nums; }
        th, td { padding:5px 8px; border-bottom:1px solid #e6eaef; text-align:left; vertical-align:top; }
        th { background:#f6f8fa; font-weight:600; color:#31363c; border-bottom:1px solid var(--line); white-space:nowrap; }
        tbody tr:hover { background:#f6f8fa; }
        td.num, th.num { text-align:right; white-space:nowrap; }
        td.nowrap { white-space:nowrap; }
        td.mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
        .sw { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:6px; vertical-align:baseline; }
        td.pass, td.improved { color:var(--good); font-weight:600; }
        td.fail, td.regressed { color:var(--bad); font-weight:600; }
        td.inconclusive, td.below_detection_limit { color:var(--warn); font-weight:600; }
        td.changed { color:#8250df; font-weight:600; }
        td.unchanged, td.muted { color:var(--muted); }
        tr.gated td:first-child { font-weight:600; }
        footer { color:var(--muted); font-size:12px; text-align:center; margin-top:20px; }
        @media (max-width: 900px) { .figs { grid-template-columns:1fr; } }
        @media print { body { background:#fff; } section { break-inside:avoid; } nav { display:none; } }
        """
}
