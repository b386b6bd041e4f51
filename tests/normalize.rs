//! Normalizer tests: the real platform specs and the pinned spec normalize; scratch check.

use archastro_tests::{platform_specs, workspace_root};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::{load, normalize};

#[test]
fn scratch_all_specs() {
    let root = workspace_root();
    let mut specs = vec![(root.join("spec/openapi.json"), root.join("spec/families.toml"))];
    for s in platform_specs() {
        specs.push((s, root.join("spec/families-platform-v1.toml")));
    }
    for (spec, fam) in specs {
        let config = FamiliesConfig::load(&fam).unwrap();
        let doc = load::load_file(&spec).unwrap();
        let t = std::time::Instant::now();
        match normalize::normalize(&doc, &config) {
            Ok(n) => {
                let stem = spec.file_stem().unwrap().to_string_lossy().to_string();
                std::fs::create_dir_all("/tmp/norm").unwrap();
                for (name, d) in &n.families { std::fs::write(format!("/tmp/norm/{stem}-{name}.json"), serde_json::to_string_pretty(d).unwrap()).unwrap(); }
                println!("{} in {:?}\n{}", spec.display(), t.elapsed(), n.report.summary());
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
