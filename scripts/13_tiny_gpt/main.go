// Lesson 13: a tiny GPT.
//
// A GPT reads a text one character at a time and learns to predict the next
// one. Ours reads English words from the word list that ships with Debian
// (/usr/share/dict/words) and, once trained, writes new words letter by
// letter, each letter drawn at random from the probabilities it predicts.
//
// Inside, it is GPT in miniature: token and position embeddings, one
// transformer block (masked self-attention and a feed-forward layer) and a
// linear head. The mask is what makes it a language model: position i may
// look at the letters up to i, never at the ones it must predict.
//
// Try:
//
//   - Sample at temperature 2, then 0.2: what happens to the words?
//   - Make Forward use nn.Masks{} (no mask) and train again: the loss falls
//     to almost 0, because every position can read the letter it must
//     predict; but when sampling, that letter is not written yet, and the
//     model writes nothing like words.
//   - Look at each head alone: in Attention, call AttendWeights(h, h, h,
//     nn.Masks{Causal: true}, nn.WeightOpts{PerHead: true}); it then
//     returns [4, T, T], and att.Select(0, k) is head k. Each head is
//     sharper than their average; some look mostly at the letter just
//     before.
//   - Give the model two blocks: a []*nn.TransformerEncoderLayer in GPT and
//     a plain Go loop over it in Run.
package main

import (
	"fmt"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

// letters are the tokens: '.' (token 0) marks the start and the end of a
// word, 'a' is token 1, …, 'z' token 26.
const letters = ".abcdefghijklmnopqrstuvwxyz"

// maxTokens is the longest input: '.' and up to 8 letters.
const maxTokens = 9

// tokens returns '.' followed by the letters of w, as token numbers.
func tokens(w string) []float32 {
	ts := []float32{0}
	for i := 0; i < len(w); i++ {
		ts = append(ts, float32(strings.IndexByte(letters, w[i])))
	}
	return ts
}

// GPT maps tokens [B, T] to scores for the next token at every position,
// [B, T, 27].
type GPT struct {
	Tok, Pos *nn.Embedding
	Block    *nn.TransformerEncoderLayer
	Norm     *nn.LayerNorm
	Head     *nn.Linear
}

func NewGPT(dim, heads int) *GPT {
	return &GPT{
		Tok: nn.NewEmbedding(len(letters), dim),
		Pos: nn.NewEmbedding(maxTokens, dim),
		Block: nn.NewTransformerEncoderLayer(dim, heads, nn.TransformerOpts{
			DimFeedforward: 4 * dim, Dropout: nn.Float(0), BatchFirst: true, NormFirst: true}),
		Norm: nn.NewLayerNorm([]int{dim}),
		Head: nn.NewLinear(dim, len(letters)),
	}
}

// embed adds each token's vector and its position's vector: [B, T, dim].
func (g *GPT) embed(x *engine.Tensor) *engine.Tensor {
	pos := engine.Arange(float64(x.Size(1)))
	return g.Tok.Forward(x).Add(g.Pos.Forward(pos))
}

// Run runs the model with the attention masks mk.
func (g *GPT) Run(x *engine.Tensor, mk nn.Masks) *engine.Tensor {
	h := g.Block.Run(g.embed(x), mk)
	return g.Head.Forward(g.Norm.Forward(h))
}

// Forward runs it with the causal mask, as it is trained and used.
func (g *GPT) Forward(x *engine.Tensor) *engine.Tensor {
	return g.Run(x, nn.Masks{Causal: true})
}

// Attention returns the block's attention weights for tokens x [1, T],
// averaged over the heads: row i holds how much position i takes from each
// position j. (The block normalizes its input before attending.)
func (g *GPT) Attention(x *engine.Tensor) *engine.Tensor {
	h := g.Block.Norm1.Forward(g.embed(x))
	_, w := g.Block.SelfAttn.Attend(h, h, h, nn.Masks{Causal: true})
	return w.Squeeze(0)
}

func (g *GPT) Params() []nn.Param {
	return nn.Params(nn.Sub("tok", g.Tok), nn.Sub("pos", g.Pos), nn.Sub("block", g.Block),
		nn.Sub("norm", g.Norm), nn.Sub("head", g.Head))
}

// sample writes a word: starting from '.', it draws the next letter from
// the model's probabilities (sharper below temperature 1, flatter above)
// until the model picks '.' or the word has 8 letters. The input grows by
// a letter each time and the model simply runs on it again: define-by-run
// needs no graph built in advance for each length.
func sample(g *GPT, temperature float64) string {
	ts := []float32{0}
	word := ""
	engine.NoGrad(func() {
		for len(ts) < maxTokens {
			scores := g.Forward(engine.New(ts, 1, len(ts))).Select(1, len(ts)-1).Squeeze(0) // [27]
			next := int(scores.DivScalar(temperature).Softmax(0).Multinomial(1, true).Item())
			if next == 0 {
				break
			}
			word += letters[next : next+1]
			ts = append(ts, float32(next))
		}
	})
	return word
}

// change returns, for each position, the largest change of the 27 scores
// there between outputs a and b [1, T, 27]: [T].
func change(a, b *engine.Tensor) *engine.Tensor {
	return a.Sub(b).Abs().Max(0, 2)
}

func main() {
	engine.Seed(13)

	// Every 16th word of 3 to 8 letters: the same 2224 words with Debian's
	// file or, without it, from the sample built into dbr.
	words, err := nn.Words("", 16)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(words), "words:", strings.Join(words[:8], " "), "…")

	// Each word becomes one row of inputs and one of targets, the targets
	// one step ahead: from ".abort" the model learns . → a, a → b, b → o,
	// o → r, r → t and t → . all at once. Short words are padded; the targets
	// of the padding are nn.IgnoreIndex, which the loss skips.
	n := len(words)
	xs := make([]float32, n*maxTokens)
	ys := make([]float32, n*maxTokens)
	for i, w := range words {
		ts := tokens(w)
		for j := 0; j < maxTokens; j++ {
			ys[i*maxTokens+j] = nn.IgnoreIndex
			if j < len(ts) {
				xs[i*maxTokens+j] = ts[j]
			}
			if j+1 < len(ts) {
				ys[i*maxTokens+j] = ts[j+1]
			}
			if j+1 == len(ts) {
				ys[i*maxTokens+j] = 0
			}
		}
	}
	x := engine.New(xs, n, maxTokens)
	y := engine.New(ys, n, maxTokens)
	fmt.Println("input ", x.Select(0, 5).Float32s(), "=", "."+words[5])
	fmt.Println("target", y.Select(0, 5).Float32s())

	model := NewGPT(32, 4)
	count := 0
	for _, p := range model.Params() {
		count += p.Tensor.Numel()
	}
	fmt.Println("parameters:", count)

	// Train on next-letter prediction: the cross-entropy of every position
	// of every word in the batch, in one loss. A model that guesses all 27
	// tokens alike scores ln 27 = 3.30.
	opt := nn.NewAdam(model.Params(), 0.01, nn.AdamOpts{})
	batch := 64
	for epoch := 1; epoch <= 10; epoch++ {
		perm := engine.RandPerm(n)
		total, batches := 0.0, 0
		for b := 0; b+batch <= n; b += batch {
			idx := perm[b : b+batch]
			scores := model.Forward(x.IndexSelect(0, idx)) // [64, 9, 27]
			loss := nn.CrossEntropyLoss(scores.Reshape(-1, len(letters)), y.IndexSelect(0, idx).Reshape(-1))
			opt.ZeroGrad()
			loss.Backward()
			opt.Step()
			total += loss.Item()
			batches++
		}
		if epoch == 1 || epoch%3 == 0 || epoch == 10 {
			fmt.Printf("epoch %2d: loss %.2f\n", epoch, total/float64(batches))
		}
	}

	// New words, letter by letter, each drawn with engine.Multinomial from
	// the predicted probabilities. A * marks a word the model was trained
	// on; the others it made up. Lower temperatures pick likely letters
	// more often: safer, plainer words.
	known := map[string]bool{}
	for _, w := range words {
		known[w] = true
	}
	for _, temp := range []float64{1, 0.5} {
		var out []string
		for i := 0; i < 8; i++ {
			w := sample(model, temp)
			if known[w] {
				w += "*"
			}
			out = append(out, w)
		}
		fmt.Printf("temperature %.1f: %s\n", temp, strings.Join(out, " "))
	}

	// Where does each letter of "planet" look? Row i holds how much the
	// output at letter i takes from each letter up to it (each row sums to
	// 1). Above the diagonal, every weight is exactly 0: the causal mask
	// hides the later letters.
	var att *engine.Tensor
	engine.NoGrad(func() { att = model.Attention(engine.New(tokens("planet"), 1, 7)) })
	labels := strings.Split(".planet", "")
	fmt.Println(inspect.Heatmap(att, labels, labels))

	// The mask at work: change the last letter (planet → planes). With the
	// mask, the scores at every earlier position stay exactly the same, so
	// what the model predicts for a position never depends on the letters
	// after it. Without the mask, every position would see the change.
	engine.NoGrad(func() {
		a := engine.New(tokens("planet"), 1, 7)
		b := engine.New(tokens("planes"), 1, 7)
		masked := change(model.Forward(a), model.Forward(b))
		unmasked := change(model.Run(a, nn.Masks{}), model.Run(b, nn.Masks{}))
		fmt.Println(inspect.Heatmap(engine.Stack([]*engine.Tensor{masked, unmasked}, 0), []string{"mask", "no mask"}, labels))
	})
}

// Output:
// 2224 words: aardvark abashing abdicate abetting abjures abort abrasive absent …
// input  [0 1 2 15 18 20 0 0 0] = .abort
// target [1 2 15 18 20 0 -100 -100 -100]
// parameters: 14811
// epoch  1: loss 2.59
// epoch  3: loss 2.27
// epoch  6: loss 2.18
// epoch  9: loss 2.13
// epoch 10: loss 2.12
// temperature 1.0: whos heatere stabger uquaks cander vurelner scunnin unfins
// temperature 0.5: stare cander cheating river sanchers tromins chient sarish
//       .     p     l     a     n     e     t
// .  1.00     0     0     0     0     0     0
// p  0.41  0.59     0     0     0     0     0
// l  0.11  0.70  0.19     0     0     0     0
// a  0.29  0.01  0.68  0.01     0     0     0
// n  0.00  0.23  0.25  0.31  0.21     0     0
// e  0.26  0.03  0.16  0.12  0.42  0.02     0
// t  0.23  0.15  0.07  0.09  0.05  0.39  0.02
//             .     p     l     a     n     e     t
// mask        0     0     0     0     0     0  3.24
// no mask  0.17  0.20  0.25  0.26  0.62  0.02  3.24
