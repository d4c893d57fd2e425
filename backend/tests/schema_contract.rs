//! `schema.graphql` is a contract: it must equal what the code exports.

#[test]
fn committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = backend::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date; regenerate it with:\n    cargo run -p backend -- export-schema > schema.graphql"
    );
}
