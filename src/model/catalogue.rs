//! The default catalogue a new plan starts with: the roles and appointment
//! types of a typical English GP practice, named as clinical-system exports name them.

use super::{AppointmentType, Mode};

pub const GP: &str = "GP";
pub const ANP: &str = "ANP";
pub const NURSE: &str = "Practice nurse";
pub const HCA: &str = "HCA";
pub const PHARMACIST: &str = "Pharmacist";

pub fn default_roles() -> Vec<String> {
    [GP, ANP, NURSE, HCA, PHARMACIST].iter().map(|r| r.to_string()).collect()
}

pub fn default_appointment_types() -> Vec<AppointmentType> {
    use Mode::{FaceToFace as F, Telephone as T};
    let t = |name: &str, roles: &[&str], slots: u32, modes: &[Mode]| AppointmentType {
        name: name.to_string(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        default_slots: slots,
        modes: modes.to_vec(),
    };
    vec![
        t("GP routine", &[GP], 1, &[F, T]),
        t("GP urgent", &[GP, ANP], 1, &[F, T]),
        t("GP review", &[GP], 1, &[F, T]),
        t("GP double", &[GP], 2, &[F]),
        t("Minor illness", &[ANP, GP], 1, &[F, T]),
        t("Nurse bloods", &[NURSE, HCA], 1, &[F]),
        t("Nurse chronic disease review", &[NURSE], 2, &[F]),
        t("Cervical screening", &[NURSE], 1, &[F]),
        t("Vaccination", &[NURSE, HCA], 1, &[F]),
        t("Wound dressing", &[NURSE], 1, &[F]),
        t("HCA blood pressure", &[HCA, NURSE], 1, &[F]),
        t("Pharmacist medication review", &[PHARMACIST], 1, &[F, T]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_names_known_roles_and_modes() {
        let roles = default_roles();
        for t in default_appointment_types() {
            assert!(!t.roles.is_empty() && !t.modes.is_empty(), "{}", t.name);
            assert!(t.roles.iter().all(|r| roles.contains(r)), "{}", t.name);
            assert!(t.default_slots >= 1);
        }
    }
}
