//! Scenario tests of the core: one sentinel on a manual clock, driven by scripted replies
//! (see [`harness`]), asserting on the commands, events and wake-ups it produces.

// A toolbox: not every scenario uses every helper.
#[allow(dead_code)]
mod harness;

mod churn;
mod election;
mod split_vote;
mod switch;
