/// The pages' one style sheet, inlined in every page (no second request, works from `file://`).
///
/// Contrast (WCAG 2.1 AA): text #1a1a1a on white 17:1, links #0b4f96 8.6:1,
/// muted text #545454 7.5:1; chart marks against white: target #1f4e79 9:1,
/// earlier targets #595959 7:1, measurements #a33f00 6.2:1, loosened #a4262c
/// 6.9:1, tightened #1d6b35 6.4:1, hatching #a4262c. Focus: a 3 px outline.
/// Status is a word in a bordered badge, never a colour alone.
enum Style {
    static let css = """
        *{box-sizing:border-box}
        html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1a1a1a;\
        background:#fff}
        body{margin:0;padding:0 1rem 2rem;max-width:78rem;margin-inline:auto;overflow-wrap:anywhere}
        a{color:#0b4f96;text-decoration:underline}
        a:hover{color:#062c55}
        a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,\
        [tabindex]:focus-visible{outline:3px solid #a33f00;outline-offset:2px}
        a:focus,button:focus,input:focus,select:focus,[tabindex]:focus{outline:3px solid #a33f00;outline-offset:2px}
        .skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
        .skip:focus{left:1rem;top:.5rem;z-index:2}
        header{border-bottom:2px solid #1f4e79;padding:.5rem 0;margin-bottom:1rem}
        nav .brand{font-weight:700;margin:.25rem 0}
        ul.nav{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}
        form.time fieldset,form.filters fieldset{border:1px solid #8a8a8a;padding:.5rem .75rem;margin:.75rem 0 0;\
        display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
        legend{font-weight:600;padding:0 .25rem}
        .field{display:flex;flex-direction:column;min-width:10rem;flex:1 1 10rem}
        .field.check{flex-direction:row;align-items:center;gap:.4rem}
        .help{font-size:.85rem;color:#545454}
        input[type=text],select{font:inherit;padding:.3rem .4rem;border:1px solid #6b6b6b;border-radius:3px;\
        max-width:100%}
        button{font:inherit;padding:.35rem 1rem;border:2px solid #1f4e79;background:#1f4e79;color:#fff;\
        border-radius:3px;cursor:pointer}
        nav.time ul,nav.pager ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
        h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}
        h1 .kind{display:block;font-size:.95rem;font-weight:600;color:#545454;text-transform:uppercase;\
        letter-spacing:.04em}
        h2{font-size:1.25rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #c8c8c8}
        h3{font-size:1.05rem;margin:1rem 0 .25rem}
        .when,.facts,.context{color:#3d3d3d}
        code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
        code.digest{word-break:break-all}
        .table-scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}
        table{border-collapse:collapse;width:100%;font-size:.95rem}
        caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border:1px solid #b5b5b5;padding:.3rem .45rem;text-align:left;vertical-align:top}
        thead th{background:#eef2f6}
        table.state th[scope=row]{width:14rem;font-weight:600}
        code.member{display:block;font-weight:400;font-size:.8rem;color:#545454}
        span.member{font-size:.85rem;color:#3d3d3d}
        table.history td,table.history th{min-width:7rem}
        tr.backdated{background:#fff6e5}
        ul.changes{margin:0;padding-left:1rem}
        .status,.badge{display:inline-block;border:1px solid currentColor;border-radius:3px;padding:0 .35rem;\
        font-size:.85rem;line-height:1.4;white-space:nowrap}
        .status-adopted,.status-achieved{border-style:solid;border-width:2px}
        .status-draft{border-style:dashed}
        .status-superseded,.status-retired,.status-dropped,.status-removed,.status-missed{border-style:dotted;\
        border-width:2px}
        .badge.loosened{color:#a4262c}
        .badge.tightened{color:#1d6b35}
        .badge.backdated{color:#7a4500;margin-left:.35rem}
        .badge.retracted{color:#545454;margin-left:.35rem}
        .badge.later{color:#0b4f96}
        .badge.signed{color:#1d6b35;display:block;width:max-content;margin-top:.2rem;white-space:normal}
        .proof{display:block;font-size:.85rem}
        ul.tree>li{margin:.5rem 0}
        .bullet{margin:.1rem 0 .25rem;color:#3d3d3d;font-size:.95rem}
        figure.chart{margin:.5rem 0;max-width:54rem;overflow-x:auto}
        svg.chart{width:100%;min-width:34rem;height:auto;display:block;font-size:12px}
        table.history,table.chart-data{min-width:44rem}
        table.state td{min-width:10rem}
        svg .grid{stroke:#e3e3e3;stroke-width:1}
        svg .axis{stroke:#545454;stroke-width:1}
        svg .tick,svg .axis-label{fill:#3d3d3d}
        svg .target{fill:none;stroke:#1f4e79;stroke-width:3}
        svg .earlier{fill:none;stroke:#595959;stroke-width:1.25;stroke-dasharray:5 4}
        svg .measurement{fill:#a33f00;stroke:#fff;stroke-width:1}
        svg .revision line{stroke-width:1.5;stroke:#3d3d3d}
        svg .revision.loosened line{stroke:#a4262c}
        svg .revision.tightened line{stroke:#1d6b35}
        svg .revision-label{fill:#1a1a1a;font-weight:600}
        svg .revision.loosened .revision-label{fill:#a4262c}
        svg .revision.tightened .revision-label{fill:#1d6b35}
        svg .backdated-band{fill:url(#hatch);stroke:#a4262c;stroke-width:.5}
        svg .hatch-line{stroke:#a4262c;stroke-width:2;stroke-opacity:.55}
        svg .as-of{stroke:#1a1a1a;stroke-width:1.5;stroke-dasharray:2 3}
        svg .threshold{stroke:#a4262c;stroke-width:1.5;stroke-dasharray:6 3}
        svg .lag{fill:#1f4e79;fill-opacity:.75}
        svg .lag.late{fill:#a33f00}
        ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-size:.9rem}
        ul.legend svg{vertical-align:middle}
        ol.revisions{font-size:.9rem;margin:.25rem 0;padding-left:1.5rem}
        ul.legend .backdated-band{fill:url(#hatch);stroke:#a4262c}
        ul.legend .target{stroke:#1f4e79;stroke-width:3}
        ul.legend .earlier{stroke:#595959;stroke-width:1.5;stroke-dasharray:5 4}
        ul.legend .measurement{fill:#a33f00}
        .verdict{font-size:1.3rem;font-weight:700;border:2px solid currentColor;display:inline-block;\
        padding:.25rem .75rem}
        .verdict.ok{color:#1d6b35}
        .verdict.failed{color:#a4262c}
        footer{margin-top:2.5rem;border-top:1px solid #c8c8c8;font-size:.9rem;color:#3d3d3d}
        @media (max-width:40rem){body{padding:0 .5rem 1rem}h1{font-size:1.3rem}.field{min-width:100%}
          table.state th[scope=row]{width:auto}}
        """
}
