//! The cloud the simulator plays (`--cloud`): which resources its token endpoint accepts and puts
//! in tokens as `aud`, and which audiences Graph and Exchange accept. The resources are the
//! presets' Graph and Exchange hosts: Graph's from microsoft-graph-docs-contrib
//! `concepts/deployments.md` (a token's scope uses the national Graph host,
//! `concepts/sdks/national-clouds.md`), Exchange's from CISA ScubaGear `EXORestHelper.psm1`
//! `Get-ExchangeOnlineScope` (DoD: `https://outlook-dod.office365.us/.default`) and, for China,
//! the `partner.outlook.cn` host of Microsoft's connection scripts.

use std::fmt;
use std::str::FromStr;

use super::tokens::Audience;

/// A Microsoft 365 cloud.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SimCloud {
    /// Commercial and GCC.
    #[default]
    Global,
    /// US Government GCC High.
    UsGovHigh,
    /// US Government DoD.
    UsGovDod,
    /// China, operated by 21Vianet.
    China,
}

impl SimCloud {
    /// Every cloud.
    pub const ALL: [SimCloud; 4] = [
        SimCloud::Global,
        SimCloud::UsGovHigh,
        SimCloud::UsGovDod,
        SimCloud::China,
    ];

    /// The name `--cloud` takes (`global`, `usgov-high`, `usgov-dod`, `china`), as mailfix's.
    pub fn name(self) -> &'static str {
        match self {
            SimCloud::Global => "global",
            SimCloud::UsGovHigh => "usgov-high",
            SimCloud::UsGovDod => "usgov-dod",
            SimCloud::China => "china",
        }
    }

    /// The resource URI (token audience) of `audience` in this cloud.
    pub fn resource(self, audience: Audience) -> &'static str {
        match (self, audience) {
            (SimCloud::Global, Audience::Graph) => "https://graph.microsoft.com",
            (SimCloud::Global, Audience::Exchange) => "https://outlook.office365.com",
            (SimCloud::UsGovHigh, Audience::Graph) => "https://graph.microsoft.us",
            (SimCloud::UsGovHigh, Audience::Exchange) => "https://outlook.office365.us",
            (SimCloud::UsGovDod, Audience::Graph) => "https://dod-graph.microsoft.us",
            (SimCloud::UsGovDod, Audience::Exchange) => "https://outlook-dod.office365.us",
            (SimCloud::China, Audience::Graph) => "https://microsoftgraph.chinacloudapi.cn",
            (SimCloud::China, Audience::Exchange) => "https://partner.outlook.cn",
        }
    }
}

impl fmt::Display for SimCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--cloud` value that names no cloud.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud '{0}' (expected global, usgov-high, usgov-dod or china)")]
pub struct UnknownCloud(pub String);

impl FromStr for SimCloud {
    type Err = UnknownCloud;

    fn from_str(s: &str) -> Result<Self, UnknownCloud> {
        match s.to_ascii_lowercase().as_str() {
            "global" | "public" | "commercial" => Ok(SimCloud::Global),
            "usgov-high" | "gcchigh" | "gcc-high" => Ok(SimCloud::UsGovHigh),
            "usgov-dod" | "dod" => Ok(SimCloud::UsGovDod),
            "china" => Ok(SimCloud::China),
            other => Err(UnknownCloud(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_resources_are_the_preset_hosts() {
        for cloud in SimCloud::ALL {
            assert_eq!(cloud.name().parse::<SimCloud>(), Ok(cloud));
        }
        assert_eq!(
            SimCloud::UsGovDod.resource(Audience::Exchange),
            "https://outlook-dod.office365.us"
        );
        assert!("mars".parse::<SimCloud>().is_err());
    }
}
