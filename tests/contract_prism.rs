//! Contract tests: the generated client calls every operation once with example arguments
//! (the generated `archastro-contract` crate) against Prism mocking the spec; Prism validates
//! every request, so zero failures means every request the client builds is what the spec
//! says, and every mock response decoded.

use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, RegenOptions};
use archastro_tests::{PrismMock, platform_cargo, platform_specs, workspace_root};

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_of_the_pinned_spec_passes_prism() {
    let prism = PrismMock::start(&workspace_root().join("spec/openapi.json"));
    let outcomes = archastro_contract::call_every_operation(&prism.url).await;
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|(id, r)| r.as_ref().err().map(|e| format!("{id}: {e}")))
        .collect();
    assert_eq!(outcomes.len(), 163, "every operation is called");
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), outcomes.len(), failures.join("\n"));
    assert_eq!(prism.violations(), Vec::<String>::new());
}

#[test]
fn every_operation_of_the_2026_06_11_platform_spec_passes_prism() {
    let spec = platform_specs().into_iter().find(|s| s.to_string_lossy().contains("2026-06-11")).unwrap();
    let out = tempfile::tempdir().unwrap();
    regen::regen(&RegenOptions {
        spec: spec.display().to_string(),
        families: workspace_root().join("spec/families-platform-v1.toml"),
        out: out.path().to_owned(),
        standalone: true,
        support_crate: workspace_root().join("crates/archastro-client-support"),
        crate_version: "0.1.0".into(),
        mode: Mode::Write,
        stamp: None,
    })
    .unwrap();
    let prism = PrismMock::start(&spec);
    let output = platform_cargo()
        .args(["run", "--quiet", "--package", "archastro-contract", "--manifest-path"])
        .arg(out.path().join("Cargo.toml"))
        .arg("--")
        .arg(&prism.url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("210 operations, 0 failed"), "{stdout}");
    assert_eq!(prism.violations(), Vec::<String>::new());
}
