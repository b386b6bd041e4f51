//! schemathesis against the emulator with `spec/openapi.json`: fixed seed, bounded examples,
//! every implemented operation; the checks `not_a_server_error`, `status_code_conformance`,
//! `content_type_conformance` and `response_schema_conformance` must all pass.

use archastro_emulator::{Config, Emulator};
use archastro_tests::{schemathesis_binary, workspace_root};

#[test]
fn schemathesis_finds_no_failure_in_the_emulator() {
    let st = schemathesis_binary();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = Emulator::new(Config::default());
    let operations = emulator.implemented_operations();
    assert!(operations.len() >= 60, "the emulator implements {} operations", operations.len());
    let running = runtime.block_on(emulator.bind("127.0.0.1:0")).unwrap();
    // schemathesis keeps a cache in its working directory: give it a scratch one.
    let scratch = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(st);
    command
        .current_dir(scratch.path())
        .arg("run")
        .arg(workspace_root().join("spec/openapi.json"))
        .args(["--url", &running.url()])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
        .args(["--seed", "20261129", "--max-examples", "10", "--phases", "examples,coverage,fuzzing"])
        .args(["--header", "x-api-key: sk_test_emulator"])
        .args(["--no-color"]);
    for id in &operations {
        command.args(["--include-operation-id", id]);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
}
