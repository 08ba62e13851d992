"""Writes notebooks/*.ipynb from the cell lists below (no outputs), so their source is reviewable here.

Run: python tools/make_notebooks.py. The notebooks are the product; this script only keeps
them consistent (same parameters cell, same kernel spec, prose between the cells).
"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = """# Parameters (papermill vervangt deze waarden; zie README, "Werken in JupyterLab")
report_year = None      # verslagjaar; None: het laatste jaar in de data
data_dir = None         # map met de data; None: de meegeleverde data/
language = "nl"         # "nl" of "en"
briefing_date = None    # datum op de briefing (JJJJ-MM-DD); None: vandaag"""

OPEN = """from nap_analysis import analysis
from nap_analysis.briefing import Context, sections

ctx = Context.open(data_dir, report_year, language, briefing_date)
print(f"Verslagjaar {ctx.year}, vorig verslagjaar {ctx.previous}, taal {ctx.language}, data {ctx.programme.data_version}")"""

NOTEBOOKS = {
    "01_voortgang_per_actielijn": [
        (
            "md",
            "# Voortgang per actielijn\n\nHoeveel activiteiten per actielijn zijn afgerond, in uitvoering, vertraagd, "
            "stopgezet of nog niet gestart, hoe verhoudt dat zich tot het vorige verslagjaar, en ligt elke actielijn "
            "op koers? De berekeningen staan in `nap_analysis.analysis`; dit notebook toont ze. Verander gerust een "
            "cel en voer het notebook opnieuw uit: de sectie onderaan is wat de briefing toont.",
        ),
        ("params", PARAMETERS),
        ("code", OPEN),
        (
            "md",
            "## Aantal en aandeel per status\n\nEén rij per actielijn en status (ook bij 0), plus het totaal van het "
            "programma (`actielijn == 'total'`). Het aandeel is een fractie van de activiteiten van die actielijn.",
        ),
        ("code", "voortgang = analysis.progress(ctx.programme.activities, ctx.year)\nvoortgang"),
        ("md", "Hetzelfde voor het vorige verslagjaar, onder elkaar, voor de vergelijking in de figuur."),
        (
            "code",
            "vergelijking = analysis.progress_compare(ctx.programme.activities, ctx.year, ctx.previous)\n"
            "vergelijking.pivot_table(index=['actielijn', 'report_year'], columns='status', values='n', observed=True)",
        ),
        (
            "md",
            "## Op koers?\n\nDe maatstaf komt uit de gegevens (`settings.csv`; standaard 25%): een actielijn ligt op "
            "koers als minder dan dat aandeel van haar lopende activiteiten vertraagd is.",
        ),
        (
            "code",
            "op_koers = analysis.on_course(voortgang, ctx.programme.setting('on_course_max_delayed_share'))\nop_koers",
        ),
        ("md", "## Figuur"),
        ("code", "figuur = sections.progress_figure(ctx, vergelijking)\nfiguur"),
        (
            "md",
            "## De sectie voor de briefing\n\nTekst, figuur en tabel zoals de briefing ze toont (HTML, PDF en Word).",
        ),
        ("code", "sectie = sections.progress_section(ctx, voortgang, vergelijking, op_koers, figuur)\nsectie"),
    ],
    "02_vertraagd_en_stopgezet": [
        (
            "md",
            "# Vertraagde en stopgezette activiteiten\n\nWelke activiteiten zijn vertraagd of stopgezet, met welke "
            "toelichting, en wat veranderde sinds de vorige voortgangsrapportage: wat is afgerond of gestart, en wat "
            "liep tegen?",
        ),
        ("params", PARAMETERS),
        ("code", OPEN),
        (
            "md",
            "## Signalen\n\nVertraagd en stopgezet in dit verslagjaar, en wat sinds het vorige verslagjaar nieuw "
            "vertraagd, nieuw stopgezet, teruggevallen of verdwenen is (één rij per activiteit en signaal).",
        ),
        ("code", "signalen = analysis.flags(ctx.programme.activities, ctx.year, ctx.previous)\nsignalen"),
        (
            "md",
            "## Veranderingen sinds het vorige verslagjaar\n\nElke activiteit waarvan de status veranderde, met de "
            "soort verandering: goed nieuws (afgerond, gestart, weer op schema) en tegenvallers.",
        ),
        (
            "code",
            "veranderingen = analysis.status_changes(ctx.programme.activities, ctx.year, ctx.previous)\nveranderingen",
        ),
        ("md", "## Figuur"),
        ("code", "figuur = sections.changes_figure(ctx, veranderingen)\nfiguur"),
        ("md", "## De sectie voor de briefing"),
        ("code", "sectie = sections.flags_section(ctx, signalen, veranderingen, figuur)\nsectie"),
    ],
    "03_moties_en_toezeggingen": [
        (
            "md",
            "# Moties en toezeggingen\n\nDe stand van aangenomen moties en gedane toezeggingen (Bijlage 2), "
            "inclusief moties die een alternatieve invulling krijgen.",
        ),
        ("params", PARAMETERS),
        ("code", OPEN),
        ("md", "## Aantal en aandeel per status, per soort"),
        (
            "code",
            "moties = analysis.motions_progress(ctx.programme.motions, ctx.year) if ctx.has('motions') else None\nmoties",
        ),
        ("md", "## Figuur"),
        ("code", "figuur = sections.motions_figure(ctx, moties)\nfiguur"),
        ("md", "## De sectie voor de briefing\n\nDe volledige lijst staat in Bijlage 2."),
        ("code", "sectie = sections.motions_section(ctx, moties, figuur)\nsectie"),
    ],
    "04_middelen_en_planning": [
        (
            "md",
            "# Middelen en planning\n\nDe middelen zoals de nota's van 2022 ze noemen (per ministerie, instrument en "
            "doel), en de geplande tegenover de werkelijke mijlpalen: het opstellen van het NAP en de tweede "
            "voortgangsrapportage.",
        ),
        ("params", PARAMETERS),
        ("code", OPEN),
        (
            "md",
            "## Middelen per regel\n\nEen bedrag per jaar telt voor elk jaar van de periode (`total_eur` is dan het "
            "bedrag maal het aantal jaren); een totaal wordt nooit over jaren verdeeld.",
        ),
        (
            "code",
            "middelen = analysis.funds_by_instrument(ctx.programme.funds) if ctx.has('funds') else None\nmiddelen",
        ),
        (
            "code",
            "totalen = analysis.funds.instrument_totals(ctx.programme.funds) if ctx.has('funds') else None\ntotalen",
        ),
        ("code", "figuur_middelen = sections.funds_figure(ctx, middelen)\nfiguur_middelen"),
        ("code", "sectie_middelen = sections.funds_section(ctx, middelen, totalen, figuur_middelen)\nsectie_middelen"),
        (
            "md",
            "## Mijlpalen\n\nVerschuiving in dagen als beide datums bekend zijn; in hele maanden (bij benadering) als "
            "de bron alleen een maand noemt.",
        ),
        (
            "code",
            "mijlpalen = analysis.slippage(ctx.programme.milestones) if ctx.has('milestones') else None\nmijlpalen",
        ),
        ("md", "Eén figuur per fase, elk met een eigen tijdas."),
        (
            "code",
            "figuren_mijlpalen = sections.milestones_figures(ctx, mijlpalen)\nfor figuur in figuren_mijlpalen:\n    display(figuur)",
        ),
        ("code", "sectie_mijlpalen = sections.milestones_section(ctx, mijlpalen, figuren_mijlpalen)\nsectie_mijlpalen"),
    ],
    "05_statistiek": [
        (
            "md",
            "# Monitorcijfers, statusovergangen en vooruitblik\n\nVeranderingen in de monitorcijfers met hun "
            "onzekerheid, hoe de statussen tussen de verslagjaren bewogen, of vertragingen zich in enkele actielijnen "
            "concentreren, en een vooruitblik op het afgeronde aandeel aan het einde van het NAP. De methoden staan "
            "in `nap_analysis.analysis.statistics` en in de Verantwoording van de briefing.",
        ),
        ("params", PARAMETERS),
        ("code", OPEN),
        (
            "md",
            "## Monitorcijfers\n\nElk paar opeenvolgende metingen van dezelfde vraag, met verschil, "
            "95%-interval, p-waarde en de voor meervoudig toetsen gecorrigeerde q-waarde.",
        ),
        (
            "code",
            "indicatoren = ctx.programme.indicators\n"
            "veranderingen = (sections.with_labels(analysis.indicator_changes(indicatoren), indicatoren)\n"
            "                 if ctx.has('indicators') else None)\n"
            "veranderingen",
        ),
        (
            "code",
            "intervallen = analysis.indicator_intervals(indicatoren) if ctx.has('indicators') else None\n"
            "figuur_monitor = sections.indicators_figure(ctx, intervallen, veranderingen)\n"
            "figuur_monitor",
        ),
        ("code", "sectie_monitor = sections.indicators_section(ctx, veranderingen, figuur_monitor)\nsectie_monitor"),
        ("md", "## Statusovergangen en spreiding van vertragingen"),
        (
            "code",
            "overgangen = analysis.transition_matrix(ctx.programme.activities, ctx.previous, ctx.year) "
            "if ctx.previous else None\novergangen",
        ),
        ("code", "vertraging = analysis.delay_independence(ctx.programme.activities, ctx.year)\nvertraging.table"),
        ("code", "sectie_overgangen = sections.transitions_section(ctx, overgangen, vertraging)\nsectie_overgangen"),
        (
            "md",
            "## Vooruitblik naar het einde van het NAP\n\nAlleen de verslagjaren tot en met dit jaar tellen mee: een "
            "vooruitblik kijkt nooit vooruit in de gegevens.",
        ),
        (
            "code",
            "tot_nu = ctx.programme.activities[ctx.programme.activities['report_year'] <= ctx.year]\n"
            "vooruitblik = analysis.project_completion(tot_nu)\nvooruitblik.history",
        ),
        ("code", "figuur_vooruitblik = sections.projection_figure(ctx, vooruitblik)\nfiguur_vooruitblik"),
        (
            "code",
            "sectie_vooruitblik = sections.projection_section(ctx, vooruitblik, figuur_vooruitblik)\nsectie_vooruitblik",
        ),
    ],
}


def build(name: str, cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(cells):
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        cell.id = f"{name[:2]}-{i:02d}"
        nb.cells.append(cell)
    return nb


def main() -> None:
    folder = ROOT / "notebooks"
    for old in folder.glob("*.ipynb"):
        old.unlink()
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(name, cells), str(folder / f"{name}.ipynb"))
    import subprocess
    import sys
    from pathlib import Path

    subprocess.run([str(Path(sys.executable).parent / "ruff"), "format", "-q", str(folder)], check=True)


if __name__ == "__main__":
    main()
