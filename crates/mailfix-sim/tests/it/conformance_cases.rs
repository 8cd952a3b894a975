//! How the conformance test treats each example: replayed as documented, replayed with a listed
//! difference, checked by a dedicated routine, or skipped as outside the simulator's coverage. The
//! reasons are repeated in the Graph section of `COVERAGE.md`.

use serde_json::{Value, json};

use super::conformance_shape::Rules;

/// Per-example adjustments of a replay.
#[derive(Default)]
pub struct Adjust {
    /// Another URL (below `/v1.0`).
    pub url: Option<&'static str>,
    /// A request body (mocks record none).
    pub body: Option<Value>,
    /// Comparison rules.
    pub rules: Rules<'static>,
    /// Give kim all methods (`true`) or none (`false`) first.
    pub kim_methods: Option<bool>,
    /// The replay accepts a documented difference (listed in COVERAGE.md).
    pub partial: bool,
}

/// What to do with an example.
pub enum Treatment {
    /// Replay it.
    Replay(Adjust),
    /// Check it with a dedicated routine.
    Special(&'static str),
    /// Outside the simulator's coverage, for this reason.
    Skip(&'static str),
}

fn plain() -> Treatment {
    Treatment::Replay(Adjust::default())
}

fn exact() -> Treatment {
    Treatment::Replay(Adjust {
        rules: Rules {
            exact: true,
            ..Rules::default()
        },
        ..Adjust::default()
    })
}

fn with(rules: Rules<'static>) -> Treatment {
    Treatment::Replay(Adjust {
        rules,
        partial: true,
        ..Adjust::default()
    })
}

fn kim(full: bool, url: Option<&'static str>, body: Option<Value>) -> Treatment {
    Treatment::Replay(Adjust {
        url,
        body,
        kim_methods: Some(full),
        ..Adjust::default()
    })
}

const EMPTY_OK: Rules<'static> = Rules {
    ignore: &[],
    allow_extra: &[],
    exact: false,
    empty_ok: true,
};

const MEMBER_TYPES: Rules<'static> = Rules {
    ignore: &[],
    allow_extra: &["@odata.type"],
    exact: false,
    empty_ok: false,
};

const AUDIT_LIST: Rules<'static> = Rules {
    ignore: &["Type"],
    allow_extra: &["@microsoft.graph.tips"],
    exact: false,
    empty_ok: false,
};

const KIM_PHONES: &str = "/users/kim@contoso.com/authentication/phoneMethods";

/// The treatment of the example or mock called `name`.
pub fn treatment(name: &str) -> Treatment {
    use Treatment::{Skip, Special};
    match name {
        "authmethods-list.json" | "mock #46" => Special("authmethods"),
        "batch-1-mixed.json" => Special("batch-1"),
        "batch-2-dependson-shape.json" => Special("batch-2"),
        "error-generic-shape.json" => Special("error"),
        "paging-nextlink-shape.json" => Special("paging"),
        "users-delta-seq-1.json" => Special("delta-seq"),
        "users-delta-seq-2.json" | "users-delta-seq-3.json" | "users-delta-seq-4.json" => {
            Special("delta-seq-covered")
        }
        "directoryaudits-list-1.json" | "mock #47" => with(AUDIT_LIST),
        "emailmethods-create.json" => kim(false, None, None),
        "group-get-1-default.json" => with(Rules {
            allow_extra: &["serviceProvisioningErrors"],
            exact: true,
            ..Rules::default()
        }),
        "group-members-1.json" | "mock #15" | "mock #51" => with(MEMBER_TYPES),
        "group-transitivemembers-3-odatacast-group.json" => with(Rules {
            ignore: &["@odata.id", "organizationId"],
            ..Rules::default()
        }),
        "groups-list-2-filter-count-select.json" | "users-list-9-any-license.json" | "mock #13" => {
            with(EMPTY_OK)
        }
        "mock #0" => with(Rules {
            ignore: &["@odata.id"],
            ..EMPTY_OK
        }),
        "phonemethods-create.json" => kim(false, Some(KIM_PHONES), None),
        "users-list-4-startswith-top.json" => with(Rules {
            ignore: &["mailNickname"],
            ..Rules::default()
        }),
        "mock #20" => with(Rules {
            ignore: &["id"],
            exact: true,
            ..Rules::default()
        }),
        "group-get-2-select.json"
        | "group-transitivemembers-4-cast-user-search.json"
        | "user-get-1-by-id.json"
        | "user-get-3-select.json"
        | "userregistrationdetails-list.json"
        | "users-delta-1-default.json"
        | "users-list-1-all.json"
        | "users-list-8-b2b-endswith-upn.json"
        | "users-list-app-only-with-headers.json" => exact(),
        "mock #1" | "mock #2" | "mock #6" | "mock #8" | "mock #18" | "mock #23" | "mock #30"
        | "mock #54" | "mock #56" | "mock #70" => exact(),
        "mock #32" => kim(true, None, None),
        "mock #33" => kim(
            true,
            None,
            Some(json!({"emailAddress": "kim@tailspintoys.com"})),
        ),
        "mock #34" => kim(true, None, Some(json!({"phoneNumber": "+1 2065555554"}))),
        "mock #35" => kim(
            false,
            None,
            Some(json!({"emailAddress": "kim@contoso.com"})),
        ),
        "mock #36" => kim(
            false,
            None,
            Some(json!({"phoneNumber": "+1 2065555555", "phoneType": "mobile"})),
        ),
        "mock #71" => Treatment::Replay(Adjust {
            body: Some(json!({"businessPhones": ["+1 425 555 0109"], "officeLocation": "18/2111"})),
            ..Adjust::default()
        }),
        other => skip(other).map_or_else(plain, Skip),
    }
}

/// Examples outside the simulator's coverage, with the reason.
fn skip(name: &str) -> Option<&'static str> {
    Some(match name {
        "throttling-429-sample.json" => {
            "throttling belongs to the throttle module (core); its 429 body is GraphError::too_many_requests"
        }
        "token-client-credentials-azuredocs.json"
        | "token-client-credentials.json"
        | "token-error-invalid-scope.json" => {
            "sign-in, not Graph: covered by the sign-in conformance checks"
        }
        "users-list-2-filter-identities.json" | "mock #5" => {
            "B2C sign-in identities are not modelled (each user has one userPrincipalName identity)"
        }
        "mock #4" | "mock #12" => "$expand is not emulated",
        "mock #10" => {
            "the mock's query has a malformed option ($orderbydisplayName), which the simulator refuses with 400"
        }
        "mock #11" | "mock #45" | "mock #52" => {
            "memberOf / transitiveMemberOf of a user are not emulated"
        }
        "mock #17" => {
            "the mock's body is a string holding invalid JSON; the same docs example is replayed from group-transitivemembers-3-odatacast-group.json"
        }
        "mock #21" | "mock #53" => "groups/delta is not emulated",
        "mock #22" | "mock #37" | "mock #43" => {
            "the mock wraps a single entity in \"value\" (generator artifact); the simulator answers the entity"
        }
        "mock #25" | "mock #26" => "enableSmsSignIn / disableSmsSignIn actions are not emulated",
        "mock #27" => "the resetPassword action is not emulated",
        "mock #29" | "mock #31" => "schema extensions are not modelled",
        "mock #42" => "Windows Hello for Business methods are not modelled",
        "mock #48" | "mock #50" => "membership writes ($ref) are not emulated",
        "mock #55" | "mock #57" | "mock #62" => {
            "creating, updating and deleting groups is not emulated"
        }
        "mock #58" | "mock #63" => "creating and deleting users is not emulated",
        "mock #59" | "mock #60" | "mock #64" | "mock #65" | "mock #66" | "mock #67"
        | "mock #68" | "mock #69" => {
            "generic generated mock without docs content ({\"@odata.type\", \"id\"} bodies, PATCH 200); the docs examples of the same operations are replayed"
        }
        _ => return None,
    })
}
