// Package nn builds neural networks on package engine: modules and layers,
// initialization, losses, optimizers, learning-rate schedulers, gradient
// clipping, checkpoints and data loading. Names follow PyTorch's in Go casing.
//
// # Modules
//
// A Module maps a tensor to a tensor and lists its parameters:
//
//	type Module interface {
//		Forward(x *engine.Tensor) *engine.Tensor
//		Params() []Param
//	}
//
// Layers (Linear, Conv2d, BatchNorm2d, …) are concrete pointer types with
// exported tensor fields named as in PyTorch (Weight, Bias, RunningMean), made
// by constructors (NewLinear(784, 128)). A model is a user's struct holding
// layers; it lists their parameters with dotted names by prefixing each
// submodule's, which works the same when the struct is typed at the REPL
// prompt, because it needs no reflection:
//
//	type MLP struct{ Fc1, Fc2 *nn.Linear }
//	func (m *MLP) Forward(x *engine.Tensor) *engine.Tensor { return m.Fc2.Forward(m.Fc1.Forward(x).ReLU()) }
//	func (m *MLP) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2)) }
//
// Parameter names are PyTorch's state_dict keys ("fc1.weight",
// "bn.running_mean"), so checkpoints interoperate. A tensor used by two layers
// (shared weights) is one tensor: its gradient gets both contributions, and
// Params lists it once. NewSequential chains modules; its parameters are named
// by position ("0.weight").
//
// The layers: Linear, Conv1d, Conv2d (square or KH×KW kernels, stride and
// padding per dim), ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
// Upsample (nearest, bilinear), BatchNorm1d, BatchNorm2d, LayerNorm,
// GroupNorm, Dropout, Embedding, Flatten, Unflatten, Identity, the
// activations ReLU, Tanh, Sigmoid,
// GELU, LeakyReLU, Softmax and LogSoftmax, and the recurrent cells RNNCell,
// LSTMCell and GRUCell, which compute one time step (Step) so that a sequence
// of any length is a plain Go loop, and RNN, LSTM and GRU, which run them over
// whole sequences (stacked, bidirectional, batches of different lengths) with
// PyTorch's parameter names; MultiheadAttention (with key-padding, attention
// and causal Masks), TransformerEncoderLayer (post- or pre-norm, ReLU or
// GELU) and TransformerEncoder, on engine.ScaledDotProductAttention. Each
// prints as PyTorch's repr does.
//
// RegisterForwardHook(m, h) makes h see (and may replace) m's output each
// time m runs through Call, as torch's forward hooks; a Sequential runs its
// layers through Call. Inside a forward hook, y.RegisterHook (the engine's
// tensor hook) watches or changes the gradient reaching the module's output.
//
// Train and Eval switch Dropout and BatchNorm between training and evaluation
// for a module and every layer reachable from it through struct fields
// (exported or not), slices, arrays and maps. They walk the fields with
// reflect, which also sees the fields of structs typed at the prompt (yaegi
// builds them as real structs). A user's own module cannot be told the mode
// through a method, because compiled code cannot call methods of interpreted
// types; a module that needs it holds an nn layer (a *Dropout or a
// *BatchNorm1d) and reads that layer's Training().
//
// # Initialization
//
// New layers are initialized as PyTorch does by default (Kaiming-uniform with
// a = √5 for weights, U(±1/√fan_in) for biases). XavierUniform, XavierNormal,
// KaimingUniform, KaimingNormal, UniformInit, NormalInit and ConstantInit
// refill a tensor in place. All draw from engine's generator, so engine.Seed
// makes a model reproducible.
//
// # Losses
//
// Losses are functions of the prediction and the target that return a tensor
// (a scalar unless the reduction is None), named as PyTorch's classes:
// MSELoss, L1Loss, SmoothL1Loss, CrossEntropyLoss, NLLLoss, BCELoss,
// BCEWithLogitsLoss, TripletMarginLoss and CosineEmbeddingLoss. Options go in
// an optional trailing LossOpts (see Options below):
//
//	loss := nn.CrossEntropyLoss(logits, labels)
//	loss = nn.CrossEntropyLoss(logits, labels, nn.LossOpts{Reduction: nn.Sum, LabelSmoothing: 0.1})
//
// Class targets are a float tensor of indices (as a DataLoader yields them);
// CrossEntropyLossIndices and NLLLossIndices take a []int instead;
// CrossEntropyLoss also takes [N, C] class probabilities, and both weigh
// classes with LossOpts.Weight and skip rows whose target is IgnoreIndex
// (-100), as PyTorch does by default. TripletMarginLoss and
// CosineEmbeddingLoss take their margin as an argument. Inputs and
// targets must have the same shape where PyTorch would broadcast them with a
// warning: a [N,1] prediction against a [N] target is an error, not an [N,N]
// loss.
//
// # Optimizers
//
// NewSGD, NewAdam, NewAdamW, NewRMSprop and NewAdagrad take the parameters
// (usually m.Params(); buffers are skipped), a learning rate and an options
// struct (see Options below). Step updates each parameter in
// place, in compiled loops, without recording a graph; ZeroGrad clears the
// gradients. AddParamGroup adds parameters with their own learning rate and
// weight decay (PyTorch's parameter groups); GroupLR and SetGroupLR read and
// set a group's rate. State and LoadState give the rates, step counts and moments as tensors
// for checkpoints. The schedulers StepLR, MultiStepLR, ExponentialLR,
// LinearLR (warm-up), LambdaLR (any Go function of the epoch),
// CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR (stepped per
// batch; it cycles the momentum too) and ReduceLROnPlateau change an
// Optimizer's learning rate, every parameter group's from its own as
// PyTorch's do, with PyTorch's per-group lists where it takes them
// (NewLambdaLRGroups, OneCycleOpts.GroupMaxLR and its momenta,
// PlateauOpts.GroupMinLR), and have State and
// LoadState too, so a resumed run follows the same schedule; ClipGradNorm and
// ClipGradValue clip gradients between Backward and Step.
//
//	opt := nn.NewSGD(model.Params(), 0.1, nn.SGDOpts{Momentum: 0.9})
//	for epoch := 0; epoch < 10; epoch++ {
//		opt.ZeroGrad()
//		loss := nn.MSELoss(model.Forward(x), y)
//		loss.Backward()
//		opt.Step()
//	}
//
// # Options
//
// Every options struct of dbr (engine.ConvOpts, engine.GradOpts, LossOpts,
// SGDOpts, AdamOpts, RMSpropOpts, AdagradOpts, PlateauOpts, RNNOpts,
// LoaderOpts, CSVOpts) follows one rule: a field left unset means
// PyTorch's default, and a field that can be set to zero is set to zero. Where zero is an allowed value and PyTorch's
// default is not zero (Adam's betas and eps, AdamW's weight decay, RMSprop's
// alpha, SmoothL1Loss's beta, …), the field is a pointer, nil when unset;
// nn.Float makes a *float64 and nn.Int64 a *int64 (a DataLoader's Seed: 0
// is a seed like any other):
//
//	nn.NewAdam(ps, 1e-3, nn.AdamOpts{})                                    // betas (0.9, 0.999), as PyTorch
//	nn.NewAdam(ps, 1e-3, nn.AdamOpts{Beta1: nn.Float(0), Beta2: nn.Float(0.9)}) // betas (0, 0.9)
//
// The other fields are plain values whose zero is PyTorch's default, or
// where zero is not an allowed value (a batch size, a stride) and so stands
// for nothing else: 0 there means PyTorch's default (1).
//
// # Checkpoints
//
// Save and Load write and read a module's parameters and buffers in the
// safetensors format under PyTorch's state_dict names, so weights move
// between dbr and PyTorch or Hugging Face both ways (in Python:
// safetensors.torch.load_file, then model.load_state_dict). Load copies into
// the module's existing tensors after checking every name and shape, and
// reports every mismatch in one error before changing anything. SaveTensors
// and LoadTensors handle a plain []Param; SaveOptimizer and LoadOptimizer an
// optimizer's State. Saves are atomic (a temporary file, synced and renamed):
// a crash or Ctrl-C never leaves half a checkpoint.
//
//	nn.Save("mlp.safetensors", model)
//	err := nn.Load("mlp.safetensors", model)
//
// # Data
//
// A Dataset is anything with Len() and Get(i) (x, y); a DataLoader cuts it
// into batches (stacking the examples), shuffled under engine.Seed if asked,
// and prepares the next batch on a background goroutine:
//
//	train, _ := nn.FashionMNIST("train") // [1 28 28] images in [0, 1], labels 0…9
//	dl := nn.NewDataLoader(train, nn.LoaderOpts{BatchSize: 64, Shuffle: true})
//	for dl.Next() {
//		loss := nn.CrossEntropyLoss(model.Forward(dl.X()), dl.Y())
//		...
//	}
//
// NewTensorDataset wraps tensors already in memory, ReadCSV reads a small
// table, ReadIDX, ReadMNIST and LoadMNIST read MNIST's IDX files, and
// NewSubset and RandomSplit cut a dataset into parts (train/validation).
// FashionMNIST reads Debian's dataset-fashion-mnist files and falls back,
// with a notice, to a 1200-example subset built into dbr. Words reads a word
// list for character-level models (Debian's wamerican by default) and falls
// back the same way to a 2224-word sample.
//
// # Errors
//
// Layers and losses panic like engine ops: with a *engine.ShapeError naming
// the layer and every operand's shape when an input does not fit, and with an
// *engine.Error for other misuse. Inside a Sequential the error also names
// the failing layer ("Sequential layer 2 (Linear(…)): …"). engine.Try turns
// these into errors. Functions that read files or restore state return
// errors instead, naming the file, and never leave a half-written file or a
// half-loaded model.
package nn
