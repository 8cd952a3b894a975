//! Where mailfix keeps its files by default, by each platform's convention: the config file in the
//! configuration directory, the journal and the token cache in the local state directory.
//!
//! | platform | config file                                       | journal, token cache                 |
//! |----------|---------------------------------------------------|--------------------------------------|
//! | Linux    | `$XDG_CONFIG_HOME/mailfix` (`~/.config/mailfix`)  | `$XDG_STATE_HOME/mailfix` (`~/.local/state/mailfix`) |
//! | macOS    | `~/Library/Application Support/mailfix`           | the same                             |
//! | Windows  | `%APPDATA%\mailfix`                               | `%LOCALAPPDATA%\mailfix`             |
//!
//! The token cache sits beside the journal, also when `--journal` moves it.

use std::path::{Path, PathBuf};

/// The platforms whose conventions differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Linux and other Unix systems: the XDG base directories.
    Unix,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl Platform {
    /// The platform this binary was built for.
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// mailfix's directories on one machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    /// Where the config file is looked for.
    pub config_dir: PathBuf,
    /// Where the journal and the token cache go.
    pub state_dir: PathBuf,
}

impl Locations {
    /// The directories on `platform`, from its environment variables (`env`) and the user's
    /// home directory; `None` when neither says where (no home, no variables).
    pub fn on(
        platform: Platform,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Option<Self> {
        let var = |name: &str| env(name).map(PathBuf::from);
        // A relative value is ignored, as the XDG specification asks.
        let xdg = |name: &str| var(name).filter(|p| p.has_root());
        let under_home =
            |parts: &[&str]| home.map(|h| parts.iter().fold(h.to_path_buf(), |p, s| p.join(s)));
        let (config, state) = match platform {
            Platform::Unix => (
                xdg("XDG_CONFIG_HOME").or_else(|| under_home(&[".config"]))?,
                xdg("XDG_STATE_HOME").or_else(|| under_home(&[".local", "state"]))?,
            ),
            Platform::MacOs => {
                let support = under_home(&["Library", "Application Support"])?;
                (support.clone(), support)
            }
            Platform::Windows => (
                var("APPDATA").or_else(|| under_home(&["AppData", "Roaming"]))?,
                var("LOCALAPPDATA").or_else(|| under_home(&["AppData", "Local"]))?,
            ),
        };
        Some(Self {
            config_dir: config.join("mailfix"),
            state_dir: state.join("mailfix"),
        })
    }

    /// The directories of this process's user on this platform.
    pub fn current() -> Option<Self> {
        let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self::on(Platform::current(), &env, home.as_deref())
    }

    /// The default config file.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The default journal.
    pub fn journal(&self) -> PathBuf {
        self.state_dir.join("journal.db")
    }
}

/// The token cache for a journal: beside it.
pub fn token_cache(journal: &Path) -> PathBuf {
    journal.with_file_name("token-cache.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(platform: Platform, vars: &[(&str, &str)], home: Option<&str>) -> Option<Locations> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        Locations::on(platform, &env, home.map(Path::new))
    }

    #[test]
    fn unix_follows_xdg_and_falls_back_to_the_home_directory() {
        let xdg = on(
            Platform::Unix,
            &[("XDG_CONFIG_HOME", "/c"), ("XDG_STATE_HOME", "/s")],
            Some("/home/ana"),
        )
        .unwrap();
        assert_eq!(xdg.config_file(), Path::new("/c/mailfix/config.toml"));
        assert_eq!(xdg.journal(), Path::new("/s/mailfix/journal.db"));
        let home = on(
            Platform::Unix,
            &[("XDG_STATE_HOME", "relative")],
            Some("/home/ana"),
        )
        .unwrap();
        assert_eq!(
            home.config_file(),
            Path::new("/home/ana/.config/mailfix/config.toml")
        );
        assert_eq!(
            home.journal(),
            Path::new("/home/ana/.local/state/mailfix/journal.db")
        );
        assert_eq!(on(Platform::Unix, &[], None), None);
    }

    #[test]
    fn macos_keeps_everything_in_application_support() {
        let mac = on(
            Platform::MacOs,
            &[("XDG_STATE_HOME", "/s")],
            Some("/Users/ana"),
        )
        .unwrap();
        let support = Path::new("/Users/ana/Library/Application Support/mailfix");
        assert_eq!(mac.config_file(), support.join("config.toml"));
        assert_eq!(mac.journal(), support.join("journal.db"));
        assert_eq!(
            token_cache(&mac.journal()),
            support.join("token-cache.json")
        );
    }

    #[test]
    fn windows_keeps_config_in_appdata_and_state_in_localappdata() {
        let vars = [
            ("APPDATA", "/Users/ana/AppData/Roaming"),
            ("LOCALAPPDATA", "/Users/ana/AppData/Local"),
        ];
        let win = on(Platform::Windows, &vars, None).unwrap();
        assert_eq!(
            win.config_file(),
            Path::new("/Users/ana/AppData/Roaming/mailfix/config.toml")
        );
        assert_eq!(
            win.journal(),
            Path::new("/Users/ana/AppData/Local/mailfix/journal.db")
        );
        let from_home = on(Platform::Windows, &[], Some("/Users/ana")).unwrap();
        assert_eq!(
            from_home.state_dir,
            Path::new("/Users/ana/AppData/Local/mailfix")
        );
    }

    #[test]
    fn this_platform_has_its_directories() {
        let here = Locations::current().expect("a home directory");
        assert!(here.journal().ends_with("mailfix/journal.db"));
        assert!(here.config_file().ends_with("mailfix/config.toml"));
    }
}
