//! Writing and checking generated files through one code path, after rust-analyzer's
//! `ensure_file_contents`: [`OutputTree::apply`] computes what differs between the wanted tree
//! and the disk; in [`Mode::Write`] it then commits every change (all new contents are written
//! to temporary siblings first, then renamed into place, so an error leaves the old tree), in
//! [`Mode::Check`] it only reports, with a unified diff per file. It never follows a symbolic
//! link under the root: one on the way to a wanted file or in an owned directory is an error
//! naming it, so nothing outside the tree is read as output, written or removed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Whether [`OutputTree::apply`] writes or only compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What happened (or, in check mode, would happen) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Removed,
}

/// One file that differs from what is wanted.
#[derive(Debug, Clone)]
pub struct Change {
    /// Path relative to the tree's root, with `/` separators.
    pub path: String,
    pub kind: ChangeKind,
    /// Unified diff from the file on disk to the wanted contents (at most [`MAX_DIFF_LINES`]);
    /// computed in [`Mode::Check`] only (empty when writing).
    pub diff: String,
}

/// Lines of diff kept per file.
pub const MAX_DIFF_LINES: usize = 60;

/// The complete set of files one regeneration owns.
#[derive(Debug, Default)]
pub struct OutputTree {
    root: PathBuf,
    files: BTreeMap<String, String>,
    owned_dirs: BTreeSet<String>,
}

impl OutputTree {
    /// An empty tree rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        OutputTree {
            root: root.into(),
            ..Default::default()
        }
    }

    /// Wants `contents` at `relative` (a `/`-separated path under the root).
    pub fn add(&mut self, relative: impl Into<String>, contents: impl Into<String>) {
        self.files.insert(relative.into(), contents.into());
    }

    /// Declares that the tree owns everything under `relative`: files there that were not
    /// added are stale and get removed.
    pub fn own_dir(&mut self, relative: impl Into<String>) {
        self.owned_dirs.insert(relative.into());
    }

    /// The files of the tree, by relative path.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// The directories the tree owns (see [`OutputTree::own_dir`]).
    pub fn owned_dirs(&self) -> &BTreeSet<String> {
        &self.owned_dirs
    }

    /// Compares the tree with the disk and, in write mode, makes the disk match.
    pub fn apply(&self, mode: Mode) -> Result<Vec<Change>> {
        let unified_diff = |path: &str, old: &str, new: &str| match mode {
            Mode::Check => unified_diff(path, old, new),
            Mode::Write => String::new(),
        };
        for rel in self.files.keys().chain(&self.owned_dirs) {
            refuse_symlinks(&self.root, rel)?;
        }
        let mut changes = Vec::new();
        for (rel, wanted) in &self.files {
            let path = self.root.join(rel);
            match std::fs::read(&path) {
                Ok(bytes) if bytes == wanted.as_bytes() => {}
                Ok(bytes) => changes.push(Change {
                    path: rel.clone(),
                    kind: ChangeKind::Updated,
                    diff: unified_diff(rel, &String::from_utf8_lossy(&bytes), wanted),
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => changes.push(Change {
                    path: rel.clone(),
                    kind: ChangeKind::Created,
                    diff: unified_diff(rel, "", wanted),
                }),
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        for dir in &self.owned_dirs {
            for rel in list_files(&self.root, dir)? {
                if !self.files.contains_key(&rel) {
                    let old = match mode {
                        Mode::Check => {
                            std::fs::read_to_string(self.root.join(&rel)).unwrap_or_default()
                        }
                        Mode::Write => String::new(),
                    };
                    changes.push(Change {
                        diff: unified_diff(&rel, &old, ""),
                        path: rel,
                        kind: ChangeKind::Removed,
                    });
                }
            }
        }
        if mode == Mode::Write && !changes.is_empty() {
            self.commit(&changes)?;
        }
        Ok(changes)
    }

    fn commit(&self, changes: &[Change]) -> Result<()> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let cleanup = |staged: &[(PathBuf, PathBuf)]| {
            for (tmp, _) in staged {
                let _ = std::fs::remove_file(tmp);
            }
        };
        for change in changes.iter().filter(|c| c.kind != ChangeKind::Removed) {
            let target = self.root.join(&change.path);
            let tmp = temp_sibling(&target);
            let written = target
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&tmp, &self.files[&change.path]));
            if let Err(e) = written {
                cleanup(&staged);
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::io(tmp, e));
            }
            staged.push((tmp, target));
        }
        for (i, (tmp, target)) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, target) {
                cleanup(&staged[i..]);
                return Err(Error::io(target, e));
            }
        }
        for change in changes.iter().filter(|c| c.kind == ChangeKind::Removed) {
            let path = self.root.join(&change.path);
            std::fs::remove_file(&path).map_err(|e| Error::io(path, e))?;
        }
        Ok(())
    }
}

/// An error when a component of `relative` (a `/`-separated path under `root`) is a symbolic
/// link: writing or removing through it would reach outside the tree.
fn refuse_symlinks(root: &Path, relative: &str) -> Result<()> {
    let mut path = root.to_owned();
    for component in relative.split('/') {
        path.push(component);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(symlink_error(path)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(())
}

fn symlink_error(path: PathBuf) -> Error {
    let why = "is a symbolic link inside the output directory; regen never writes, reads or removes through one: remove it";
    Error::io(path, std::io::Error::other(why))
}

fn temp_sibling(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".regen-{}.tmp", std::process::id()));
    target.with_file_name(name)
}

/// Files under `root/dir`, recursively, as `/`-separated paths relative to `root`, sorted; a
/// symbolic link there is an error.
pub(crate) fn list_files(root: &Path, dir: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(rel) = stack.pop() {
        let path = root.join(&rel);
        let entries = match std::fs::read_dir(&path) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&path, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{rel}/{name}");
            let file_type = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            if file_type.is_symlink() {
                return Err(symlink_error(entry.path()));
            }
            if file_type.is_dir() {
                stack.push(child);
            } else {
                out.push(child);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let total = text.lines().count();
    if total <= MAX_DIFF_LINES {
        return text;
    }
    let mut kept: String = text
        .lines()
        .take(MAX_DIFF_LINES)
        .collect::<Vec<_>>()
        .join("\n");
    kept.push_str(&format!(
        "\n... {} more diff lines\n",
        total - MAX_DIFF_LINES
    ));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_checks_and_removes_stale() {
        let dir =
            std::env::temp_dir().join(format!("archastro-output-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut tree = OutputTree::new(&dir);
        tree.own_dir("out");
        tree.add("out/a.txt", "one\n");
        tree.add("out/sub/b.txt", "two\n");
        assert_eq!(tree.apply(Mode::Check).unwrap().len(), 2);
        assert!(!dir.join("out/a.txt").exists(), "check mode wrote a file");
        assert_eq!(tree.apply(Mode::Write).unwrap().len(), 2);
        assert!(tree.apply(Mode::Check).unwrap().is_empty());
        std::fs::write(dir.join("out/stale.txt"), "old").unwrap();
        std::fs::write(dir.join("out/a.txt"), "changed\n").unwrap();
        let changes = tree.apply(Mode::Check).unwrap();
        let kinds: Vec<_> = changes.iter().map(|c| (c.path.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("out/a.txt", ChangeKind::Updated),
                ("out/stale.txt", ChangeKind::Removed)
            ]
        );
        assert!(
            changes[0].diff.contains("-changed\n+one\n"),
            "{}",
            changes[0].diff
        );
        tree.apply(Mode::Write).unwrap();
        assert!(tree.apply(Mode::Check).unwrap().is_empty());
        assert!(!dir.join("out/stale.txt").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A fresh scratch directory holding `out/` (the tree's root) and `outside/`, with
    /// `outside/keep.txt`.
    #[cfg(unix)]
    fn scratch(name: &str) -> (PathBuf, PathBuf, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("archastro-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (out, outside) = (dir.join("out"), dir.join("outside"));
        std::fs::create_dir_all(out.join("gen")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "mine\n").unwrap();
        (dir, out, outside)
    }

    /// Applies a tree owning `gen/` and wanting `gen/keep.txt` and `gen/sub/keep.txt` in both
    /// modes: each fails naming `link`, and `outside/` is as it was.
    #[cfg(unix)]
    fn assert_refused(out: &Path, outside: &Path, link: &Path) {
        let mut tree = OutputTree::new(out);
        tree.own_dir("gen");
        tree.add("gen/keep.txt", "generated\n");
        tree.add("gen/sub/keep.txt", "generated\n");
        for mode in [Mode::Check, Mode::Write] {
            let err = tree.apply(mode).unwrap_err().to_string();
            assert!(err.contains(&link.display().to_string()), "{err}");
            assert!(err.contains("symbolic link"), "{err}");
        }
        let names: Vec<_> = std::fs::read_dir(outside)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["keep.txt"]);
        assert_eq!(
            std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "mine\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_in_the_output_is_refused() {
        let (dir, out, outside) = scratch("file-link");
        let link = out.join("gen/keep.txt");
        std::os::unix::fs::symlink(outside.join("keep.txt"), &link).unwrap();
        assert_refused(&out, &outside, &link);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_on_the_way_is_refused() {
        let (dir, out, outside) = scratch("dir-link");
        let link = out.join("gen/sub");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert_refused(&out, &outside, &link);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_owned_directory_is_refused() {
        let (dir, out, outside) = scratch("owned-link");
        std::fs::remove_dir(out.join("gen")).unwrap();
        let link = out.join("gen");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert_refused(&out, &outside, &link);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A stale link in an owned directory, not wanted by the tree, would be listed for removal.
    #[cfg(unix)]
    #[test]
    fn a_stale_symlink_in_an_owned_directory_is_refused() {
        let (dir, out, outside) = scratch("stale-link");
        let link = out.join("gen/stale");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert_refused(&out, &outside, &link);
        assert!(
            link.symlink_metadata().is_ok(),
            "the link itself was removed"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
