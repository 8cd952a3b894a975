//! The device-code refresh token on disk: a small private JSON file (owner only, replaced
//! atomically), bound to the client id and tenant it was issued for.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::secret::Secret;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    client_id: String,
    tenant: String,
    refresh_token: String,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::config(format!("cannot {what} the token cache {}", path.display())).with_source(e)
}

/// The cached refresh token for this client and tenant, if any.
pub(crate) fn read(path: &Path, client_id: &str, tenant: &str) -> Result<Option<Secret>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", path, e)),
    };
    // An unreadable or foreign cache is ignored: sign-in starts over and rewrites it.
    Ok(serde_json::from_slice::<CacheFile>(&bytes)
        .ok()
        .filter(|c| c.client_id == client_id && c.tenant == tenant)
        .map(|c| Secret::new(c.refresh_token)))
}

/// Stores the refresh token as a private file (see [`crate::private_file`]).
pub(crate) fn write(
    path: &Path,
    client_id: &str,
    tenant: &str,
    token: &Secret,
) -> Result<(), Error> {
    let body = serde_json::to_vec(&CacheFile {
        client_id: client_id.to_owned(),
        tenant: tenant.to_owned(),
        refresh_token: token.expose().to_owned(),
    })
    .map_err(|e| Error::decode(format!("cannot encode the token cache: {e}")))?;
    crate::private_file::replace(path, &body).map_err(|e| io_error("write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_owner_only_mode_and_binding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/token.json");
        assert!(read(&path, "app", "t").unwrap().is_none());
        write(&path, "app", "t", &Secret::new("rt-1")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(read(&path, "app", "t").unwrap().unwrap().expose(), "rt-1");
        assert!(read(&path, "other-app", "t").unwrap().is_none());
        assert!(read(&path, "app", "other-tenant").unwrap().is_none());
        write(&path, "app", "t", &Secret::new("rt-2")).unwrap();
        assert_eq!(read(&path, "app", "t").unwrap().unwrap().expose(), "rt-2");
        std::fs::write(&path, "garbage").unwrap();
        assert!(read(&path, "app", "t").unwrap().is_none());
    }
}
