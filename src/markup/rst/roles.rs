//! Interpreted-text roles (part B). Temporary stub from part A.
