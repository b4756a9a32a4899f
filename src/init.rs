//! `kulturnetz init`: a new site from the files in `templates/init`, compiled into the binary so
//! that the binary alone can write them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The files `init` writes: the path relative to the new site's folder, and the content. The
/// configuration names the sample source and its mapping, so the folder ingests as written.
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        "kulturnetz.toml",
        include_str!("../templates/init/kulturnetz.toml"),
    ),
    ("README.md", include_str!("../templates/init/README.md")),
    (
        "sources/holdings.csv",
        include_str!("../templates/init/sources/holdings.csv"),
    ),
    (
        "sources/holdings.yarrrml.yaml",
        include_str!("../templates/init/sources/holdings.yarrrml.yaml"),
    ),
    (
        "shapes/holdings.ttl",
        include_str!("../templates/init/shapes/holdings.ttl"),
    ),
];

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InitError {
    /// The folder is a file.
    #[error("{0}: not a folder")]
    NotAFolder(String),
    /// Files it would write exist already (or a file stands where it needs a folder).
    #[error(
        "{} already exist{}; init writes nothing when one of its files exists, and wrote nothing",
        .0.join(", "),
        if .0.len() == 1 { "s" } else { "" }
    )]
    Exists(Vec<String>),
    /// Reading the folder or writing a file failed; what was written is removed again.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// How a path inside the new site is named in messages: relative to the working directory, as
/// the user named the folder (`kulturnetz.toml` for the current folder, `museum/kulturnetz.toml`).
pub(crate) fn shown(dir: &Path, relative: &str) -> String {
    if dir == Path::new(".") || dir.as_os_str().is_empty() {
        relative.to_owned()
    } else {
        dir.join(relative).display().to_string()
    }
}

/// Writes [`FILES`] into `dir` (created, with its parents, if missing), or nothing at all: if
/// any of them exists, or anything stands where one of their folders must be, it fails naming
/// each. Other files in `dir` are left alone. Returns the paths written, as [`shown`].
pub(crate) fn init(dir: &Path) -> Result<Vec<String>, InitError> {
    let io = |path: String| move |source| InitError::Io { path, source };
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(InitError::NotAFolder(dir.display().to_string()));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir.display().to_string())(e)),
    }
    let mut existing = Vec::new();
    for (relative, _) in FILES {
        // A folder on the way that is not a folder is in the way as well.
        let mut folder = Path::new(relative).parent();
        while let Some(f) = folder.filter(|f| !f.as_os_str().is_empty()) {
            let name = shown(dir, &f.display().to_string());
            if std::fs::metadata(dir.join(f)).is_ok_and(|m| !m.is_dir())
                && !existing.contains(&name)
            {
                existing.push(name);
            }
            folder = f.parent();
        }
        // A dangling symbolic link counts: writing would follow it.
        if std::fs::symlink_metadata(dir.join(relative)).is_ok() {
            existing.push(shown(dir, relative));
        }
    }
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    let mut written = Written::default();
    let mut names = Vec::with_capacity(FILES.len());
    for (relative, content) in FILES {
        let path = dir.join(relative);
        let name = shown(dir, relative);
        if let Some(parent) = path.parent() {
            written.create_dirs(parent).map_err(io(name.clone()))?;
        }
        // `create_new`: a file that appeared since the check above is not overwritten either.
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(InitError::Exists(vec![name]));
            }
            Err(e) => return Err(io(name)(e)),
        };
        written.files.push(path);
        file.write_all(content.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io(name.clone()))?;
        names.push(name);
    }
    written.done = true;
    Ok(names)
}

/// What `init` has written so far: removed again unless it finishes, so that a failure (a full
/// disk, a file that appeared meanwhile) leaves the folder as it was.
#[derive(Default)]
struct Written {
    files: Vec<PathBuf>,
    /// Folders it created, outermost first.
    dirs: Vec<PathBuf>,
    done: bool,
}

impl Written {
    /// Creates `dir` and the missing folders above it, remembering each.
    fn create_dirs(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut missing = Vec::new();
        let mut d = Some(dir);
        while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            missing.push(p.to_path_buf());
            d = p.parent();
        }
        for p in missing.into_iter().rev() {
            match std::fs::create_dir(&p) {
                Ok(()) => self.dirs.push(p),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && p.is_dir() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
        for dir in self.dirs.iter().rev() {
            // Only if empty: never anything that is not ours.
            let _ = std::fs::remove_dir(dir);
        }
    }
}
