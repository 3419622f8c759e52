/**
 * A function of a text remembered per distinct text: for the program's own small vocabularies
 * (rule ids, statuses, fact keys) written millions of times on the report's hot lines. Never for
 * data from the account: the memory grows with the number of distinct texts.
 */
export function rememberedPerText<Answer>(work: (text: string) => Answer): (text: string) => Answer {
  const answers = new Map<string, Answer>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined) {
      answer = work(text);
      answers.set(text, answer);
    }
    return answer;
  };
}
