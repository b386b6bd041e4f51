//! The stamp: a record of what a regeneration that found its output tree up to date read, and
//! of what every file of that tree held, kept outside the tree (`target/regen-stamps/`, never
//! committed). When a later regeneration reads the same inputs with the same generator and
//! finds every recorded file unchanged and no other file in the directories it owns, the tree
//! is up to date without generating it; cargo's fingerprints work the same way.
//!
//! What "the same inputs" covers: the spec file's bytes, the families file's bytes, the
//! support crate's manifest and sources, the example programs' sources, every other [`RegenOptions`] field that reaches the
//! output, and the generator itself (the running executable's path, size and modification
//! time: rebuilding it with other code gives another fingerprint). A spec read from a URL has no
//! stamp (it is fetched anew each time). The files are compared by SHA-256 of their bytes.
//!
//! A stamp is only a shortcut: a missing, unreadable or foreign one means "generate", and so
//! does any difference. It is written by a `--check` that found nothing stale and whose inputs
//! had the same fingerprint after the check as before it (write mode does not spend the time to
//! hash what it wrote), so that loops of `regen --check` over an unchanged tree cost little more
//! than reading and normalizing the spec.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fetch::{hex, sha256_hex};
use crate::options::RegenOptions;
use crate::output::{OutputTree, list_files};

/// Bumped when the stamp's meaning changes: an older stamp is then foreign.
const FORMAT: u32 = 1;

/// The stamp of one output tree.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stamp {
    format: u32,
    /// [`fingerprint`] of the inputs.
    inputs: String,
    /// The directories the tree owns: any file there that is not in `files` is stale.
    owned_dirs: Vec<String>,
    /// Every file of the tree, by `/`-separated path under the output root: SHA-256 of its bytes.
    files: BTreeMap<String, String>,
}

impl Stamp {
    /// The stamp of `tree`, made from `inputs` (the files were just compared with the tree
    /// on disk and are the same).
    pub fn of(inputs: String, tree: &OutputTree) -> Stamp {
        Stamp {
            format: FORMAT,
            inputs,
            owned_dirs: tree.owned_dirs().iter().cloned().collect(),
            files: tree
                .files()
                .iter()
                .map(|(rel, text)| (rel.clone(), sha256_hex(text.as_bytes())))
                .collect(),
        }
    }

    /// The stamp at `path`, if there is a readable one of this format.
    pub fn read(path: &Path) -> Option<Stamp> {
        let bytes = std::fs::read(path).ok()?;
        let stamp: Stamp = serde_json::from_slice(&bytes).ok()?;
        (stamp.format == FORMAT).then_some(stamp)
    }

    /// Writes the stamp to `path` (through a temporary file, so that a reader never sees half
    /// of one). A stamp that cannot be written is left out: it is only a shortcut.
    pub fn write(&self, path: &Path) {
        let Ok(text) = serde_json::to_vec(self) else {
            return;
        };
        let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&tmp, text))
            .and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// True when the stamp was made from `inputs` and the tree under `root` still holds
    /// exactly the recorded files in the directories it owns, with the recorded bytes.
    pub fn holds(&self, inputs: &str, root: &Path) -> bool {
        if self.inputs != inputs {
            return false;
        }
        for dir in &self.owned_dirs {
            match list_files(root, dir) {
                Ok(found) if found.iter().all(|rel| self.files.contains_key(rel)) => {}
                _ => return false,
            }
        }
        self.files.iter().all(|(rel, digest)| {
            std::fs::read(root.join(rel)).is_ok_and(|bytes| sha256_hex(&bytes) == *digest)
        })
    }
}

/// Where the stamp of the output tree at `out` lives under `dir` (one file per output root).
pub fn path_for(dir: &Path, out: &Path) -> PathBuf {
    let out = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_owned());
    let digest = sha256_hex(out.display().to_string().as_bytes());
    dir.join(format!("{}.json", &digest[..16]))
}

/// SHA-256 of everything a regeneration with `opts` reads besides the output tree, and of the
/// generator (see the module doc); `None` when one of them cannot be pinned down (a spec from
/// a URL, an executable whose metadata cannot be read).
pub fn fingerprint(opts: &RegenOptions) -> Option<String> {
    if opts.spec.starts_with("https://") || opts.spec.starts_with("http://") {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(format!("archastro regen stamp {FORMAT}").as_bytes());
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    field(exe.display().to_string().as_bytes());
    field(&meta.len().to_le_bytes());
    field(&modified.as_nanos().to_le_bytes());
    field(opts.spec.as_bytes());
    field(&std::fs::read(&opts.spec).ok()?);
    field(opts.families.display().to_string().as_bytes());
    field(&std::fs::read(&opts.families).ok()?);
    field(opts.out.display().to_string().as_bytes());
    field(&[u8::from(opts.standalone)]);
    field(opts.crate_version.as_bytes());
    field(opts.support_crate.display().to_string().as_bytes());
    field(&std::fs::read(opts.support_crate.join("Cargo.toml")).ok()?);
    for source in sorted_entries(&opts.support_crate.join("src"))? {
        field(source.display().to_string().as_bytes());
        field(&std::fs::read(&source).ok()?);
    }
    if let Some(examples) = &opts.client_examples {
        field(examples.display().to_string().as_bytes());
        for source in sorted_entries(examples)? {
            field(source.display().to_string().as_bytes());
            field(&std::fs::read(&source).ok()?);
        }
    }
    Some(hex(&hasher.finalize()))
}

/// The entries of `dir`, sorted; `None` when it cannot be read.
fn sorted_entries(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .ok()?;
    entries.sort();
    Some(entries)
}
