package nn

// ZeroGrad on every layer type, as model.zero_grad() on any torch.nn.Module:
// each sets the gradient of every parameter of the layer to zero, keeping it
// allocated, as ZeroGrad(m) does for any Module (a struct typed at the
// prompt has no such method; ZeroGrad(m) serves it). Layers without
// parameters have it too, so that any layer can be called the same way.
// TestEveryModuleHasZeroGrad checks that every exported Module type has it.

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *AdaptiveAvgPool2d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *AvgPool2d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *BatchNorm1d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *BatchNorm2d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Conv1d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Conv2d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *ConvTranspose2d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Dropout) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Embedding) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Flatten) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *GELU) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *GRU) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *GRUCell) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *GroupNorm) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Identity) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *LSTM) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *LSTMCell) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *LayerNorm) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *LeakyReLU) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Linear) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *LogSoftmax) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *MaxPool2d) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *MultiheadAttention) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *RNN) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *RNNCell) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *ReLU) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Sigmoid) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Softmax) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Tanh) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *TransformerEncoder) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *TransformerEncoderLayer) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Unflatten) ZeroGrad() { ZeroGrad(m) }

// ZeroGrad sets the gradient of every parameter to zero, as ZeroGrad(m).
func (m *Upsample) ZeroGrad() { ZeroGrad(m) }
