//! Our client next to the vendor's own Rust crate (`../shared/peers/archastro-rust`, generated
//! by the vendor from the 2026-08-18 spec): the client regen writes for that spec, and the
//! vendor's crate, each built alone ([`CrateBuild`]), in turns after the first build of each, with their line counts. The
//! vendor's crate is only built and measured, never copied.

use anyhow::Result;
use archastro_codegen::client;
use archastro_codegen::regen;

use super::clients::CrateBuild;
use super::{Bench, VENDOR_CRATE, VENDOR_SPEC};

/// The vendor crate's package name.
const VENDOR_PACKAGE: &str = "archastro";

impl Bench {
    /// Regen of [`VENDOR_SPEC`] into `target/bench/platform-client`, then the crate-only
    /// builds of its client and of the vendor's crate, in turns, [`Bench::build_runs`] each.
    pub(super) fn measure_vendor(&mut self) -> Result<()> {
        let case = self.case(VENDOR_SPEC);
        let (spec, families) = (case.path.clone(), case.families.clone());
        let out = self.bench_dir.join("platform-client");
        // Write mode over the previous output only touches what changed, so the dependencies
        // built in target/bench/platform-target stay warm from one bench run to the next.
        regen::regen(&self.options(&spec, &families, &out)?)?;
        let mut ours = CrateBuild::first(
            &format!("the {VENDOR_SPEC} client (target/bench/platform-client)"),
            &out.join(client::CLIENT_DIR),
            "archastro-client",
            &self.bench_dir.join("platform-target"),
            false,
        );
        let mut vendor = CrateBuild::first(
            &format!("the vendor's crate ({VENDOR_CRATE})"),
            &self.root.join(VENDOR_CRATE),
            VENDOR_PACKAGE,
            &self.bench_dir.join("vendor-target"),
            true,
        );
        for _ in 0..self.build_runs() {
            ours.up_to(self.build_runs());
            vendor.up_to(self.build_runs());
        }
        self.vendor = Some((ours.finish(), vendor.finish()));
        Ok(())
    }
}
