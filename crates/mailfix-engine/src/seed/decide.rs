//! What to do for one user given the methods they already have (README "Seed"): create, skip (same
//! value, compared normalised), update (only with `--update`) or report a conflict. Phones are
//! decided mobile first, because Graph wants a `mobile` before an `alternateMobile` (docs/protocol.md §3).

use mailfix_client::models::{EmailMethod, PhoneMethod, PhoneType};
use serde::{Deserialize, Serialize};

use super::email::same_email;
use super::phone::same_number;

/// The decision for one method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Decision {
    /// No such method yet: create it.
    Create,
    /// The same value is already registered.
    Skip,
    /// A different value is registered and `--update` was given: replace it.
    Update {
        /// The existing method's id (for the PATCH).
        method_id: Option<String>,
        /// The value it had.
        from: String,
    },
    /// A different value is registered and `--update` was not given.
    Conflict {
        /// The registered value.
        existing: String,
    },
    /// Cannot be done yet, with why (an alternate mobile without a mobile).
    Blocked {
        /// Why.
        reason: String,
    },
    /// The value itself is unusable (set when planning a row; `decide_*` never returns it).
    Invalid {
        /// Why.
        reason: String,
    },
}

impl Decision {
    /// Whether it is a remote write (create or update).
    pub fn is_write(&self) -> bool {
        matches!(self, Decision::Create | Decision::Update { .. })
    }

    /// The verb for reports: `create`, `update`, `skip`, or `none` when nothing is done.
    pub fn verb(&self) -> &'static str {
        match self {
            Decision::Create => "create",
            Decision::Update { .. } => "update",
            Decision::Skip => "skip",
            Decision::Conflict { .. } | Decision::Blocked { .. } | Decision::Invalid { .. } => {
                "none"
            }
        }
    }
}

/// The decision for one phone slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhoneDecision {
    /// `mobile` or `alternateMobile`.
    pub phone_type: PhoneType,
    /// The wanted number (Graph's form).
    pub number: String,
    /// What to do.
    pub decision: Decision,
}

/// Decides the phone methods, `mobile` first.
pub fn decide_phones(
    existing: &[PhoneMethod],
    mobile: Option<&str>,
    alternate_mobile: Option<&str>,
    update: bool,
) -> Vec<PhoneDecision> {
    let find = |t: PhoneType| existing.iter().find(|m| m.phone_type == t);
    let mut decisions = Vec::new();
    if let Some(number) = mobile {
        decisions.push(PhoneDecision {
            phone_type: PhoneType::Mobile,
            number: number.to_owned(),
            decision: decide_phone(find(PhoneType::Mobile), number, update),
        });
    }
    if let Some(number) = alternate_mobile {
        let has_mobile = find(PhoneType::Mobile).is_some() || mobile.is_some();
        let decision = if has_mobile {
            decide_phone(find(PhoneType::AlternateMobile), number, update)
        } else {
            Decision::Blocked {
                reason: "an alternate mobile needs a mobile phone method first".to_owned(),
            }
        };
        decisions.push(PhoneDecision {
            phone_type: PhoneType::AlternateMobile,
            number: number.to_owned(),
            decision,
        });
    }
    decisions
}

fn decide_phone(existing: Option<&PhoneMethod>, wanted: &str, update: bool) -> Decision {
    match existing {
        None => Decision::Create,
        Some(m) if same_number(&m.phone_number, wanted) => Decision::Skip,
        Some(m) => differs(m.id.clone(), &m.phone_number, update),
    }
}

/// Decides the email method (a user has at most one).
pub fn decide_email(existing: &[EmailMethod], wanted: &str, update: bool) -> Decision {
    match existing.first() {
        None => Decision::Create,
        Some(m) if same_email(&m.email_address, wanted) => Decision::Skip,
        Some(m) => differs(m.id.clone(), &m.email_address, update),
    }
}

fn differs(method_id: Option<String>, existing: &str, update: bool) -> Decision {
    if update {
        Decision::Update {
            method_id,
            from: existing.to_owned(),
        }
    } else {
        Decision::Conflict {
            existing: existing.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(t: PhoneType, number: &str) -> PhoneMethod {
        PhoneMethod {
            id: Some("3179e48a-750b-4051-897c-87b9720928f7".into()),
            phone_number: number.into(),
            phone_type: t,
            sms_sign_in_state: None,
        }
    }

    #[test]
    fn create_skip_update_conflict_for_the_mobile() {
        let decide = |existing: &[PhoneMethod], update| {
            decide_phones(existing, Some("+61 412345678"), None, update)[0]
                .decision
                .clone()
        };
        assert_eq!(decide(&[], false), Decision::Create);
        let same = [phone(PhoneType::Mobile, "+61412 345 678")];
        assert_eq!(decide(&same, false), Decision::Skip, "compared normalised");
        let other = [phone(PhoneType::Mobile, "+61 499999999")];
        assert_eq!(
            decide(&other, false),
            Decision::Conflict {
                existing: "+61 499999999".into()
            }
        );
        assert!(
            matches!(decide(&other, true), Decision::Update { from, .. } if from == "+61 499999999")
        );
        let office = [phone(PhoneType::Office, "+61 412345678")];
        assert_eq!(
            decide(&office, false),
            Decision::Create,
            "other slots do not count"
        );
    }

    #[test]
    fn mobile_is_decided_before_the_alternate_which_needs_one() {
        let both = decide_phones(&[], Some("+61 412345678"), Some("+1 2065550100"), false);
        let order: Vec<PhoneType> = both.iter().map(|d| d.phone_type).collect();
        assert_eq!(order, [PhoneType::Mobile, PhoneType::AlternateMobile]);
        assert_eq!(both[1].decision, Decision::Create);
        let alone = decide_phones(&[], None, Some("+1 2065550100"), false);
        assert!(matches!(alone[0].decision, Decision::Blocked { .. }));
        let existing = [phone(PhoneType::Mobile, "+61 412345678")];
        let alt = decide_phones(&existing, None, Some("+1 2065550100"), false);
        assert_eq!(alt[0].decision, Decision::Create);
    }

    #[test]
    fn email_decisions() {
        let existing = [EmailMethod {
            id: Some("3ddfcfc8-9383-446f-83cc-3ab9be4be18f".into()),
            email_address: "Jane@Gmail.com".into(),
        }];
        assert_eq!(decide_email(&[], "jane@gmail.com", false), Decision::Create);
        assert_eq!(
            decide_email(&existing, "jane@gmail.com", false),
            Decision::Skip
        );
        assert!(matches!(
            decide_email(&existing, "j@x.com", false),
            Decision::Conflict { .. }
        ));
        assert!(matches!(
            decide_email(&existing, "j@x.com", true),
            Decision::Update {
                method_id: Some(_),
                ..
            }
        ));
    }
}
