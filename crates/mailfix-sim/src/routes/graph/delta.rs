//! `/users/delta` (also spelled `delta()`): a first round of every user in pages linked by
//! `@odata.nextLink`, ending with an `@odata.deltaLink`; later rounds from a deltaLink return only
//! users changed since (by the tenant's change sequence), deleted ones as
//! `{"id", "@removed": {"reason": "changed"}}`. `$select` and `$filter=id eq '…'` (at most 50, joined
//! by `or`) are read on the first call only and carried in the opaque tokens.
//!
//! `$deltatoken=latest` ("sync from now") answers no users and a deltaLink for the changes made from
//! then on. A deltaLink older than the behaviour's `delta_token_lifetime_s`, or issued before
//! `POST /_sim/delta/expire`, is refused with `410 Gone` ([`crate::delta_tokens`]).

use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;
use uuid::Uuid;

use super::auth::{Authorized, UsersRead};
use super::respond::{self, Collection, context, service_root, with_select};
use super::user_view::{USER_DEFAULT, UserRow};
use crate::delta_tokens::Refusal;
use crate::error::{GraphError, RequestIds};
use crate::model::Tenant;
use crate::odata::QueryOptions;
use crate::odata::filter::{CmpOp, Expr, Literal};
use crate::odata::schemas::USER_KNOWN;
use crate::paging;
use crate::state::SimState;

const PATH: &str = "/users/delta";
const DEFAULT_PAGE: usize = 100;

/// What a delta token carries.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Round {
    /// `$select` of the first call.
    select: Option<Vec<String>>,
    /// `$filter=id eq` ids of the first call.
    ids: Option<Vec<Uuid>>,
    /// Changes after this sequence number are reported (0 = first round: everything live).
    since: u64,
    /// The change sequence when the round started.
    upto: u64,
    /// Next user position.
    pos: usize,
    /// Simulated time the token was issued (for the token lifetime).
    #[serde(default)]
    issued: Option<chrono::DateTime<chrono::Utc>>,
    /// The token generation it was issued in ([`crate::delta_tokens::DeltaTokens`]).
    #[serde(default)]
    generation: u64,
}

/// `GET /users/delta`.
pub async fn delta(
    auth: Authorized<UsersRead>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, GraphError> {
    let state = auth.state;
    let q = QueryOptions::parse(uri.query(), &headers)?;
    let fingerprint = paging::fingerprint(PATH, &[]);
    let tenant = state.read_tenant();
    let round = match start_round(&q, fingerprint, &tenant, &state) {
        Ok(round) => round,
        Err(Refused::Graph(e)) => return Err(e),
        Err(Refused::Reset) => return Ok(reset_answer(&state, &headers)),
    };
    let select = match &round.select {
        Some(names) => Some(q_select(names)?),
        None => None,
    };
    let mut props: Vec<&'static str> = select.clone().unwrap_or_else(|| USER_DEFAULT.to_vec());
    if !props.contains(&"id") {
        props.push("id");
    }
    let size = page_size(&headers);
    let latest = q
        .deltatoken
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("latest"));
    let (items, next) = paging::fill(
        if latest { 0 } else { tenant.users.len() },
        round.pos,
        size.unwrap_or(DEFAULT_PAGE),
        |i| included(&tenant, &round, i),
        |i| i,
    );
    let value: Vec<DeltaItem<'_>> = items
        .into_iter()
        .map(|i| DeltaItem {
            row: UserRow::new(&tenant, &tenant.users[i], None),
            props: &props,
        })
        .collect();
    let root = service_root(&state);
    let link = |name: &str, round: &Round| {
        let token = paging::seal(fingerprint, round);
        paging::link(&root, PATH, &[], name, &token)
    };
    let mut body = Collection::new(
        context(&state, &with_select("users", select.as_deref())),
        value,
    );
    match next {
        Some(pos) => {
            body.next_link = Some(link(
                "$skiptoken",
                &Round {
                    pos,
                    ..round.clone()
                },
            ))
        }
        None => {
            let again = Round {
                since: round.upto,
                pos: 0,
                issued: Some(state.clock.now()),
                generation: state.delta_tokens.generation(),
                ..round.clone()
            };
            body.delta_link = Some(link("$deltatoken", &again));
        }
    }
    let mut response = respond::json(StatusCode::OK, &body, respond::op("users.delta"));
    if let Some(n) = size
        && let Ok(v) = HeaderValue::from_str(&format!("odata.maxpagesize={n}"))
    {
        response.headers_mut().insert("Preference-Applied", v);
    }
    Ok(response)
}

/// Why a call is not answered with a page.
enum Refused {
    /// A Graph error (bad token, bad query, expired token).
    Graph(GraphError),
    /// The control plane reset the delta state: `410` with a `Location`.
    Reset,
}

impl From<GraphError> for Refused {
    fn from(e: GraphError) -> Self {
        Refused::Graph(e)
    }
}

fn start_round(
    q: &QueryOptions,
    fingerprint: u64,
    tenant: &Tenant,
    state: &SimState,
) -> Result<Round, Refused> {
    let latest = q
        .deltatoken
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("latest"));
    let token = q
        .skiptoken
        .as_ref()
        .or(q.deltatoken.as_ref().filter(|_| !latest));
    if let Some(token) = token {
        if q.params.len() > 1 {
            return Err(GraphError::bad_request(
                "Query options other than the token are not allowed on a nextLink or deltaLink call.",
            )
            .into());
        }
        let mut round: Round = paging::open(token, fingerprint)?;
        if q.deltatoken.is_some() {
            check_alive(&round, state)?;
            round.upto = tenant.change_seq;
            round.pos = 0;
        }
        return Ok(round);
    }
    q.refuse(&["$top", "$orderby", "$search", "$count"])?;
    Ok(Round {
        select: q.select.clone(),
        ids: q.filter.as_ref().map(filter_ids).transpose()?,
        since: if latest { tenant.change_seq } else { 0 },
        upto: tenant.change_seq,
        pos: 0,
        issued: None,
        generation: 0,
    })
}

/// Refuses a deltaLink that has expired or was issued before a reset.
fn check_alive(round: &Round, state: &SimState) -> Result<(), Refused> {
    let Some(issued) = round.issued else {
        return Ok(());
    };
    let lifetime = state.behaviour().delta_token_lifetime_s;
    match state
        .delta_tokens
        .check(round.generation, issued, state.clock.now(), lifetime)
    {
        Ok(()) => Ok(()),
        Err(Refusal::Reset) => Err(Refused::Reset),
        Err(refusal) => Err(Refused::Graph(refusal.error())),
    }
}

/// `410 Gone` `resyncRequired` with a `Location` that starts a new round (the initial query).
fn reset_answer(state: &SimState, headers: &HeaderMap) -> Response {
    let mut response = Refusal::Reset
        .error()
        .render(&RequestIds::for_request(headers));
    let location = format!("{}{PATH}", service_root(state));
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn q_select(names: &[String]) -> Result<Vec<&'static str>, GraphError> {
    let q = QueryOptions {
        select: Some(names.to_vec()),
        ..QueryOptions::default()
    };
    Ok(q.selected(USER_KNOWN, "microsoft.graph.user")?
        .unwrap_or_default())
}

fn included(tenant: &Tenant, round: &Round, i: usize) -> bool {
    let user = &tenant.users[i];
    let wanted = round.ids.as_ref().is_none_or(|ids| ids.contains(&user.id));
    // The first round lists every user, deleted ones as `@removed` (users-delta-seq-1.json).
    let in_round =
        round.since == 0 || (round.since < user.change_seq && user.change_seq <= round.upto);
    wanted && in_round
}

/// `Prefer: odata.maxpagesize=N` (1..=999).
fn page_size(headers: &HeaderMap) -> Option<usize> {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().strip_prefix("odata.maxpagesize="))
        .filter_map(|n| n.trim().parse().ok())
        .find(|n| (1..=999).contains(n))
}

/// The ids of `id eq '…' [or id eq '…']` (the only filter delta supports).
fn filter_ids(expr: &Expr) -> Result<Vec<Uuid>, GraphError> {
    let unsupported = || {
        GraphError::unsupported_query(
            "Unsupported query: delta supports only $filter=id eq '{id}' clauses joined by 'or'.",
        )
    };
    let mut ids = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Or(a, b) => stack.extend([b.as_ref(), a.as_ref()]),
            Expr::Cmp(path, CmpOp::Eq, literal)
                if path.len() == 1 && path[0].eq_ignore_ascii_case("id") =>
            {
                let id = match literal {
                    Literal::Str(s) => Uuid::parse_str(s).map_err(|_| unsupported())?,
                    Literal::Guid(g) => *g,
                    _ => return Err(unsupported()),
                };
                ids.push(id);
            }
            _ => return Err(unsupported()),
        }
    }
    if ids.len() > 50 {
        return Err(GraphError::unsupported_query(
            "Too many ids in the delta $filter: at most 50 are allowed.",
        ));
    }
    Ok(ids)
}

/// A delta item: the user's properties, or `id` + `@removed` for a deleted user.
struct DeltaItem<'a> {
    row: UserRow<'a>,
    props: &'a [&'static str],
}

impl Serialize for DeltaItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.row.user.deleted {
            return json!({
                "id": self.row.user.id,
                "@removed": { "reason": "changed" },
            })
            .serialize(s);
        }
        self.row.out(self.props, false).serialize(s)
    }
}
