//! The API diff of the two largest real specs: load both, normalize both, compare.

use std::time::Instant;

use anyhow::{Result, bail};
use archastro_codegen::diff;
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::load;

use super::timing::Timing;
use super::{Bench, SpecCase};

impl Bench {
    pub(super) fn measure_diff(&mut self) {
        eprintln!("bench: API diff of the two largest real specs");
        self.diff = self.diff_largest().map_err(|e| format!("{e:#}"));
    }

    /// The median time, the number of changes and which specs (older first).
    fn diff_largest(&self) -> Result<(Timing, usize, String)> {
        let mut platform: Vec<&SpecCase> = self
            .specs
            .iter()
            .filter(|s| s.label.starts_with("platform-"))
            .collect();
        platform.sort_by_key(|s| std::fs::metadata(&s.path).map(|m| m.len()).unwrap_or(0));
        let [.., a, b] = platform.as_slice() else {
            bail!("fewer than two platform specs");
        };
        // Older first.
        let (base, head) = if a.label < b.label { (a, b) } else { (b, a) };
        let mut samples = Vec::new();
        let mut changes = 0;
        for i in 0..=self.runs {
            let t = Instant::now();
            let config = FamiliesConfig::load(&head.families)?;
            let base_doc = load::load_file(&base.path)?;
            let head_doc = load::load_file(&head.path)?;
            let report = diff::diff_documents(&base_doc, &head_doc, &config)?;
            if i > 0 {
                samples.push(t.elapsed().as_secs_f64());
            }
            changes = report.changes.len();
        }
        Ok((
            Timing::of(&samples),
            changes,
            format!("{} → {}", base.label, head.label),
        ))
    }
}
