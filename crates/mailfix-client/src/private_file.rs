//! Private files: the one way mailfix writes a file that only its owner may read (the token cache,
//! the simulator's info file, reports, traces, the journal). On Unix the file is mode `0600` and its
//! directory, when mailfix creates it, `0700`. A file is either created new ([`create_new`], which
//! fails if anything, even a dangling symbolic link, is at the path) or replaced atomically
//! ([`replace`], [`replace_with`]: written to a new temporary file beside it, then renamed over it,
//! so a reader never sees half a file, an existing file's looser mode is not kept, and a symbolic
//! link at the path is replaced instead of followed). On Windows the file inherits the directory's
//! access control list, which under the user's profile (`%LOCALAPPDATA%`) is the user's own.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Creates `dir` and its missing parents; the directories it creates are `0700` on Unix.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates a new, empty private file at `path` and opens it for writing. Fails with
/// [`io::ErrorKind::AlreadyExists`] if anything is at the path, a symbolic link included
/// (`O_CREAT | O_EXCL` never follows one).
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes `contents` to `path` as a private file, replacing whatever is there atomically.
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    replace_with(path, |out| out.write_all(contents))
}

/// Writes a private file at `path` through `write`, then replaces whatever is at the path with it
/// atomically. The file is flushed to disk before the rename. If `write` fails, nothing at `path`
/// changes and the temporary file is removed.
pub fn replace_with<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> io::Result<()>,
{
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_dir(dir)?;
    // `tempfile` creates the file with O_EXCL and mode 0600 on Unix, under a random name.
    let mut temp = tempfile::Builder::new()
        .prefix(".mailfix-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut out = BufWriter::new(temp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    temp.as_file().sync_all()?;
    // rename(2) replaces a symbolic link at `path` itself; it never writes through it.
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn replace_writes_owner_only_and_tightens_an_existing_loose_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/dir/report.html");
        replace(&path, b"one").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        replace(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"keep me").unwrap();
        let path = dir.path().join("token-cache.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        replace(&path, b"secret").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert_eq!(std::fs::read(&path).unwrap(), b"secret");
    }

    #[cfg(unix)]
    #[test]
    fn create_new_refuses_an_existing_file_and_a_dangling_link() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        drop(create_new(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
        let again = create_new(&path).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        assert_eq!(
            create_new(&link).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("info.json");
        replace(&path, b"old").unwrap();
        let failed = replace_with(&path, |_| Err(io::Error::other("disk full")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
