//! Test support shared by the example tests.

#![allow(dead_code)] // each test binary uses part of it

pub mod dovecot;
