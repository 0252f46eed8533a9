"""`tsur region`: the demo region's district shapes, built from labelled appeals, and point lookups."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "chalicelib" / "data" / "spb_districts.geojson"
HOLDOUT_SHARE = 10  # percent of points kept aside to measure the shapes


@click.group()
def region() -> None:
    """Районы региона / the region's districts."""


def _district_ids() -> dict[str, str]:
    """The data's district names («Невский») to the region's municipality ids («nevsky»)."""
    from chalicelib import reference

    return {m.name.removesuffix(" район"): m.id for m in reference.region().municipalities.values()}


def _held_out(row_id: str) -> bool:
    return int(hashlib.sha256(row_id.encode()).hexdigest()[:8], 16) % 100 < HOLDOUT_SHARE


@region.command("build-districts")
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV(.gz) of appeals with coordinates and a district (default: the shared data file)")
@click.option("--district-column", default="district", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--cell-m", default=300.0, show_default=True, help="grid cell size, metres")
@click.option("--reach", default=3, show_default=True, help="cells around a cell whose points vote")
def build_districts(data_path: Path | None, district_column: str, out: Path, cell_m: float, reach: int) -> None:
    """Приблизительные границы районов по координатам обращений / district shapes from labelled points."""
    from chalicelib.domain.geo import Territories
    from tsur import districts
    from tsur.shared_data import appeals_path, read_appeals

    path = data_path or appeals_path()
    if not path.exists():
        click.echo(f"Нет файла данных / data file not found: {path}")
        return
    ids = _district_ids()
    train: list[tuple[str, float, float]] = []
    test: list[tuple[str, float, float]] = []
    for row in read_appeals(path):
        district = ids.get(row.get(district_column, ""))
        if district and row.get("lat") and row.get("lon"):
            point = (district, float(row["lat"]), float(row["lon"]))
            (test if _held_out(row.get("id", "")) else train).append(point)
    grid = districts.grid_for([(lat, lon) for _, lat, lon in train], cell_m)
    labels = districts.absorb_islands(districts.vote(train, grid, reach, min_weight=1.0), min_cells=4)
    names = {v: k for k, v in ids.items()}
    source = (f"Приблизительные границы районов: построены `tsur region build-districts` по координатам "
              f"обращений с известным районом (сетка {cell_m:.0f} м). Не официальные границы.")
    collection = districts.feature_collection(labels, grid, names, source)
    out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    territories = Territories.from_geojson(collection)
    right = sum(territories.locate(lat, lon) == d for d, lat, lon in test)
    outside = sum(territories.locate(lat, lon) is None for _, lat, lon in test)
    click.echo(f"{len(collection['features'])} districts → {out} ({out.stat().st_size // 1024} KiB); "  # type: ignore[arg-type]
               f"held-out points: {len(test)}, right district {right / max(len(test), 1):.1%}, "
               f"outside every shape {outside}")


@region.command()
@click.argument("lat", type=float)
@click.argument("lon", type=float)
def locate(lat: float, lon: float) -> None:
    """Район точки / the district a point lies in."""
    from chalicelib import reference

    district = reference.territories().locate(lat, lon)
    municipality = reference.region().municipalities.get(district or "")
    click.echo(json.dumps({"lat": lat, "lon": lon, "municipality": district,
                           "name": municipality.name if municipality else None}, ensure_ascii=False))
