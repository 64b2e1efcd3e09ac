#!/usr/bin/env python3
"""Build cost of checked queries: writes three crates with the same 200 distinct queries --
Quarry's `query!`, sqlx 0.9's `query!`, and unchecked runtime queries (the baseline) -- under
bench/build-cost/gen/, sharing the target dir bench/build-cost/target (outside the workspace:
the root Cargo.toml excludes bench/build-cost).

    python3 bench/build-cost/generate.py [N] [ROOT]
then see measure.sh. ROOT (default: this checkout) is the Quarry tree the crates depend on and
are written under (ROOT/bench/build-cost/gen): compare.sh uses it to measure an older tree with
this generator.
"""
import os
import shutil
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = (os.path.abspath(sys.argv[2]) if len(sys.argv) > 2
        else os.path.dirname(os.path.dirname(HERE)))
GEN = os.path.join(ROOT, "bench", "build-cost", "gen")

SCHEMA = """CREATE TABLE IF NOT EXISTS bench_items (
    id int4 PRIMARY KEY, name text NOT NULL, note text, score float8, owner int4 NOT NULL
);
"""


def sql(i):
    # Distinct text per query (the constant), and a mix of shapes.
    shape = i % 4
    if shape == 0:
        return f"SELECT id, name, note FROM bench_items WHERE id = $1 AND owner <> {i}"
    if shape == 1:
        return f"SELECT name, score FROM bench_items WHERE owner = $1 AND id > {i} ORDER BY id"
    if shape == 2:
        return (f"SELECT b.id, b.name, o.name AS owner_name FROM bench_items b "
                f"LEFT JOIN bench_items o ON o.id = b.owner WHERE b.id = $1 AND b.score < {i}")
    return f"SELECT count(*) AS n, max(score) AS top FROM bench_items WHERE owner = $1 AND id <> {i}"


def cargo_toml(name, deps):
    return f"""[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
{deps}

[workspace]
"""


QUARRY = f'quarry = {{ path = "{ROOT}" }}\n'
SQLX = ('sqlx = { version = "=0.9.0", default-features = false, '
        'features = ["macros", "postgres", "runtime-tokio"] }\n')


def write(name, deps, body):
    d = os.path.join(GEN, name)
    os.makedirs(os.path.join(d, "src"), exist_ok=True)
    with open(os.path.join(d, "Cargo.toml"), "w") as f:
        f.write(cargo_toml(name, deps))
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(d, "Cargo.lock"))
    with open(os.path.join(d, "src", "lib.rs"), "w") as f:
        f.write("#![allow(dead_code)]\n" + body)


def lit(s):
    return '"' + s.replace('"', '\\"') + '"'


quarry = "".join(
    f"""pub async fn q{i}(c: &mut quarry::Connection) -> quarry::Result<usize> {{
    Ok(quarry::query!({lit(sql(i))}, 1i32).fetch(c).await?.len())
}}
""" for i in range(N))
sqlx = "".join(
    f"""pub async fn q{i}(c: &mut sqlx::PgConnection) -> Result<usize, sqlx::Error> {{
    Ok(sqlx::query!({lit(sql(i))}, 1i32).fetch_all(c).await?.len())
}}
""" for i in range(N))
baseline = "".join(
    f"""pub async fn q{i}(c: &mut quarry::Connection) -> quarry::Result<usize> {{
    Ok(c.fetch({lit(sql(i))}, &[&1i32]).await?.len())
}}
""" for i in range(N))

write("bc_quarry", QUARRY, quarry)
write("bc_sqlx", SQLX + 'tokio = "1"\n', sqlx)
write("bc_baseline", QUARRY, baseline)
with open(os.path.join(GEN, "schema.sql"), "w") as f:
    f.write(SCHEMA)
print(f"wrote {N} queries three ways into {GEN}")
