# ctest properties of discovered Catch2 cases, included by ctest after their discovery.
#
# The loop-stall case measures how much of the loop's time the node's own work takes; sharing
# the machine's two cores with other tests puts their cost into it. It runs with no other test
# beside it (RUN_SERIAL). A renamed case makes ctest stop here, loudly.
set_tests_properties(
  [==[a node on a 100 MB store: monitoring never stalls its loop, and SIGTERM ends a full check and a snapshot in flight]==]
  PROPERTIES RUN_SERIAL TRUE)
