package main

// trainWorkloads lists the training-step workloads (MLP, CNN, epoch).
func trainWorkloads() []workload { return nil }
